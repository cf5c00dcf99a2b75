"""The Gradio web UI: a thin shell over qa.service.BriefingQA. `ui.app.serve` runs it."""
import logging
import os

# Before anything imports gradio: no usage analytics or version checks leave the machine.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
logging.getLogger(__name__).addHandler(logging.NullHandler())
