"""How questions are worded: the patterns `plan()` (qa/understand.py) reads intent and structure from.

Each rule is a pattern over the question's own words; none is written for one question. Which
pattern decides which kind is measured on the labelled gold set and the probe sets (`briefqa eval`).
"""
from __future__ import annotations

import re

NUMBERS = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}

# An exchange's place: "the third question", "the 5th question", "the last question".
ORD = (r"first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|eleventh|twelfth|\d{1,2}(?:st|nd|rd|th)|"
       r"last|final|closing|opening")
# Word groups the rules share, so a synonym taught once holds in every rule: the kinds of outlet a reporter
# writes for, and the verbs for asking (bare forms too: "which magazine ask the question on …").
OUTLET_N = (r"(?:outlet|reporter|journalist|correspondent|media outlet|news outlet|news agency|agency|newspaper|"
            r"paper|magazine|broadcaster|tv station|station|channel|website|app|publication|news organi[sz]ation|"
            r"media organi[sz]ation|media)s?")
ASK_V = r"(?:ask(?:ed|s)?|raise[sd]?|pose[sd]?|put|wanted to know)"


# What a reader calls the briefing itself.
BRIEFING_N = r"(?:briefing|press briefing|press conference|news conference|presser|q ?& ?a)"


def _words(p: str) -> str:
    return p.replace("ORD", ORD).replace("OUTLET_N", OUTLET_N).replace("ASK_V", ASK_V).replace("BRIEFING_N", BRIEFING_N)


# A question for a reporter's own name ("the name of the CCTV reporter", "which journalist, by name").
REPORTER_NAME_RE = re.compile(r"\b(the|his|her|their|full) names? of\b(?! (the |their |its )?(outlets?|organi[sz]ations?|"
                              r"news|media|papers?|agency|agencies|networks?|publications?)\b).{0,40}"
                              r"\b(reporters?|journalists?|correspondents?)\b|\b(reporter|journalist|correspondent)s?'?s? "
                              r"(full )?names?\b|\b(reporters?|journalists?|correspondents?)\b.{0,40}\bby name\b", re.I)

STRUCTURE_RULES: tuple[tuple[str, re.Pattern], ...] = tuple((k, re.compile(_words(p), re.I)) for k, p in (
    # "How many did he answer himself rather than delegate?": what he answered, before any hand-off wording.
    ("count", r"\bhow many (of the )?(questions|queries)\b.{0,60}\b(himself|herself|themselves|personally|on (his|her|their) "
              r"own|rather than)\b"),
    ("handoffs", r"\b(hand(ed|s)? (it |them |the question |questions )?(off|over)|hand(ed|s)?\b.{0,50}\bto\b|"
                 r"pass(ed|es|ing)?\b.{0,40}\b(questions?|it|them)\b.{0,10}\bto\b|(pass|refer)(red|s|ed)? .{0,30}\bto (his|her|their) "
                 r"colleagues?|\bquestions?\b.{0,30}\b(passed|handed|referred|redirected) (over |on )?to\b|to whom did .{0,40}\bpass|"
                 r"pass(ed)? (it|the question|questions?|the floor)|deferr?(ed)?|delegat(e|es|ed|ing)\b|"
                 r"invited? \w+ (\w+ )?to answer|hand-?offs?|(passed|handed|referred) (on )?to (a |another )?"
                 r"(colleague|someone))\b"),
    # "How old is Shen Changyu?", "his educational background": what the transcript never holds of a person.
    ("bio", r"\bhow old\b|\b(his|her|['’]s) (own )?(age|education\w*|educational background|academic background|"
            r"personal background|background|career|alma mater|salary|pay|wife|husband|spouse|family|children|"
            r"birthday|birthplace|hometown|nationality|previous (job|post|role|position))\b|"
            r"\bwhere (was|is) \w+( \w+)? (born|from originally)\b|\bwhen was \w+( \w+)? (born|appointed|named)\b|"
            r"\bwhere did \w+( \w+)? (study|graduate|go to (school|university|college))\b"),
    # "What was the name of the AFP reporter?": that outlet's questions, which show the name a reporter gave.
    ("asked", REPORTER_NAME_RE.pattern),
    ("opening_speaker", r"\bwho\b[^?]{0,40}?\b(gave|made|delivered|presented|read|did) (the|an) (opening|introductory|"
                        r"intro|introduction)( (remarks|statement|speech|address))?\b|\bwho (spoke|went) first\b|"
                        r"\bwho (opened|introduced) the (briefing|press conference)\b|"
                        r"\bwho (was|is) the (first|opening) speaker\b"),
    ("closing", r"\bwho (closed|ended|concluded|wrapped up) the (briefing|press conference|conference|event|session)\b|"
                r"\bhow did (the|this|today's) (briefing|press conference|conference|event|session) (end|close|conclude)\b|"
                r"\bwhat did the (moderator|host|chair\w*|spokes\w+) say (at the end|to close|in closing|last)\b|"
                r"\bclosing (remarks|words)\b|\bhow did (the )?(moderator|host|chair\w*|spokes\w+|\w+ \w+) "
                r"(close|end|conclude|wrap up|sign off)\b|\bwho (spoke|talked|had the (floor|last word)) (last|at the end)\b|"
                r"\bwrap(ped)? (things|it|the (briefing|session|press conference)) up\b|"
                r"\bwho had the last word\b"),
    ("chair", r"\bwho (chaired|moderated|hosted|presided|emceed)\s*(\?|$|it\b|today\b)|"
              r"\b(person|official|woman|man|one|spokes\w+) (who (was|is) )?(chairing|moderating|hosting|presiding over|"
              r"running) (the|this|today's) (briefing|press conference|conference|event|session|presser)\b|"
              r"\bwho introduced the (speakers|officials|guests|panel\w*)\b|"
              r"\bwho\s+(chair(ed|s)?|moderat(ed|es|e)|host(ed|s)?|presid(ed|es|e)( over)?|ran|runs|emceed|led|leads)\s+"
              r"(the|this|today's)\s+([\w-]+\s+){0,4}"
              r"(briefings?|press conferences?|conferences?|events?|sessions?|presser)\b|\bwho (was|is|were) (the )?"
              r"(chair|chairperson|chairman|chairwoman|moderator|host|presenter|emcee|mc)\b|"
              r"\b(chair|chairperson|moderator|(?<!-)host|presenter)\b.{0,40}\b(briefing|press conference|conference|"
              r"event|session)\b.*\?|\bname (of )?the (chair|chairperson|moderator|host)\b|"
              r"\b(chair(ed)?|moderat\w+|host(ed)?|presid\w+)\b.{0,20}\bby whom\b|"
              r"\bwho (was|is) in charge of (the|this|today's) (briefing|press conference|conference|event|session|"
              r"presser)\b|\bwho (invited|called on|gave the floor to) (the )?(reporters|journalists|media|questions)\b|"
              r"\bwho (was|is) (running|chairing|moderating|hosting|leading|emceeing|presiding over) ((the|this|"
              r"today's) (briefing|press conference|conference|event|session|presser)|it)\b"),
    # "Who introduced the commissioner?": the moderator did (only with an official named).
    ("introduced", r"\bwho (introduced|presented|welcomed)\b"),
    ("count", r"\b(number|no\.?|count|total) of (the )?(questions|reporters|journalists|outlets|media outlets|news "
              r"organi[sz]ations|speakers|officials)\b|"
              r"\bhow many ((reporter|journalist|media|press)'?s?'? )?(questions|reporters|journalists|outlets|media|news organi[sz]ations|speakers|officials|"
              r"exchanges)\b|\bhow many people (asked|spoke|attended|were there)\b|"
              r"\bhow many\b.{0,25}\b(people|officials|speakers|panel(l)?ists|briefers|guests)\b.{0,20}"
              r"\b(stage|podium|panel|dais|rostrum|present|there|attend\w*|took part|participat\w*)\b|"
              r"\bhow many times (was|did|were) \w+( \w+)? (called on|asked|invited|answer|respond|take the floor)\b|"
              r"\b(what|which) size (of )?(the |their )?(delegation|panel|team)\b|"  # "what size of delegation …"
              r"\bhow (big|large) (was |is )?(the |their )?(delegation|panel|team) (of officials|on the)\b"),
    # "What time did the briefing start?", "When did it wrap up?", "How long did it last?": the clock times.
    ("time", r"\bwhat time (did|was|does|is|were)\b.{0,20}\b(BRIEFING_N)\b|"
             r"\bwhen (did|was|does) (the |this |that |today's )?(BRIEFING_N )(start|begin|kick off|get under ?way|"
             r"open|end|finish|conclude|wrap up|close|adjourn|break up|over)\b|"
             r"\b(start|began|begin|end|ended|finish|finished|conclude|concluded|wrap(ped)? up|adjourn(ed)?)\b.{0,20}"
             r"\bat what time\b|\bhow long (did|was) (the |this |that |today's )?(BRIEFING_N)\b.{0,20}"
             r"\b(last|run|go on|take)\b|\b(start|starting|end|ending|finish(ing)?) time\b"),
    # "Where was the briefing held?": the place the header names.
    ("place", r"\bwhere (was|is|were|did) (the |this |that |today's )?(BRIEFING_N)\b|"
              r"\b(what|which) (venue|location|room|city|place)\b.{0,30}\b(BRIEFING_N)\b|"
              r"\b(BRIEFING_N)\b.{0,30}\b(venue|location)\b|\bwhere (was|were) (they|the officials) briefing\b"),
    ("date", r"\bwhen (was|did|were) (the|this|that) (briefing|press conference|conference|event|meeting)\b|"
             r"\b(what|which) (date|day)\b|\bdate of (the|this|that|today's) ([\w-]+ ){0,3}(briefing|press conference|"
             r"conference|event|presser)\b"),
    ("first_last", r"\b(who|which \w+( \w+)?) (asked|raised|posed|got|had|took|put|answered|fielded|responded to) the "
                   r"(ORD) question\b|\bwhat was the (ORD) question\b|\b(the )?(ORD) (question|q)\b.*\b(who|which|from|about)\b|"
                   r"\b(list|name)\b.{0,20}\bOUTLET_N\b.{0,50}\b(before|after)\b|"
                   r"(\b(who|which OUTLET_N)|^\W*OUTLET_N)\b.{0,40}\b(asked|came|went|spoke|called on|called)? ?"
                   r"(right |just |immediately |directly )?(after|before)\b|"
                   r"\b(which|what) OUTLET_N\b.{0,12}\b(went|asked|came|spoke|was|got called on|was called on) "
                   r"(first|last)\b|"
                   r"\b(which|what) OUTLET_N\b.{0,12}\b(opened|"
                   r"started|began|kicked off|led off|closed|ended(?! up)|wrapped up)\b|"
                   r"\bwhat (came|was asked|question came) (right |just |immediately )?(after|before|next)\b|"
                   r"\b(what|which \w+) (directly |immediately )?(followed|preceded)\b|"
                   r"\b(which|what) OUTLET_N\b.{0,40}"
                   r"\b(the )?(very )?(ORD) (question|q)\b|"
                   r"\b(who|which|what) (was|were) the (ORD) (reporter|journalist|outlet|questioner|media outlet)\b|"
                   r"\b(ORD) (word|say|turn|question) from the floor\b"),
    ("asked_about", r"\bwho (asked|raised|posed|put)\b.{0,30}\b(about|on|regarding|concerning|the question)\b|"
                    r"\bwhich OUTLET_N ASK_V\b.{0,30}\b(about|on|regarding|concerning)\b|"
                    r"\bwhich OUTLET_N (brought up|mentioned|raised|inquired about|asked about)\b|"
                    r"\bwho wanted to know\b|^\W*(who (was|were)|(was|were) \w+( \w+)?) asked (about|on|regarding)\b"),
    ("outlets", r"\b(which|what|list|name)\b.*\b(reporters?|journalists?|outlets?|media|news organi[sz]ations?|"
                r"newspapers?|press)\b.*\b(ask|question|raise|pose|represent|attend|present|there)|"
                r"\bwho asked (the )?questions\b|\bwho (was|were) asking\b|"
                r"^\W*(list|name)\b.{0,30}\b(outlets|media|news (organi[sz]ations|agencies)|newspapers|"
                r"(reporters?|journalists?)'?s?'? (organi[sz]ations|outlets|affiliations|employers|media))\b|"
                r"\b(which|what) (reporters|journalists|outlets|media)\b.{0,12}\b(were|was) (in the room|there|present|"
                r"at)\b|"
                r"\b(which|what) (media|news) (outlets|organi[sz]ations|agencies)\b"),
    ("most", r"\b(who|which (official|speaker)s?)\b.{0,30}\b(the )?(most|fewest|least|more than one|several)"
             r"( of the)? (questions|queries)\b|\bhow many questions did each\b|\bquestions (each|per) official\b"),
    ("speakers", r"\bwho (were|are|was) (the )?(speakers?|officials?|panel\w*|briefers?|participants?|guests?)\b|"
                 r"\bwho (gave|delivered|conducted|held|led) (the |this |today's )?([\w-]+ ){0,3}BRIEFING_N\b|"
                 r"\bwho (took|answered|fielded|responded to) (the )?(questions|queries) (from|of) (the )?(media|press|"
                 r"reporters|journalists)\b|\bwho spoke (for|on behalf of)\b|"
                 r"\bwho (spoke|attended|took part|participated|was present|were present|briefed|was on the panel)\b|"
                 r"\b(which|what) ((two|three|four|five|six|\d) )?officials\b|\b(list|name)\b.*\b(speakers|officials)\b|"
                 r"\bwho (was|were) (there|speaking|briefing)\b|\bwho (was|were) on the (podium|stage|panel|dais|"
                 r"rostrum)\b|\bwho represented\b|\b(everyone|everybody|all) (who was |who were )?(on|at) the (panel|podium|"
                 r"stage|dais|rostrum|table)\b|\b(line-?up|roster|list) of (the )?(officials|speakers|panel\w*)\b"),
    ("exchanges", r"\b(order|sequence|list|table|rundown|run-down|all) of (the )?(questions|exchanges)\b|"
                  r"\b(in )?(what|which) order\b.{0,80}\bquestions?\b|\bquestions?\b.{0,80}\b(in )?(what|which) order\b|"
                  r"\bwhich (question )?(came|was asked|was raised|got asked) (first|earlier|later|last)\b.{0,80}"
                  r"\bquestion\b|"
                  r"\ball (the )?questions\b|\bwho asked what\b|\bwhat questions were asked\b|"
                  r"\b(what|which \w+)\b.{0,30}\b(in|during) the (q ?& ?a|question(-| and )answer( session)?)\b"),
    ("answered_by", r"\b(who|which officials?) (answered|responded|replied|took|fielded|handled|addressed)\b|"
                    r"\banswered by whom\b|\bdid \w+( \w+)? (answer|take|field|handle|respond to)\b.{0,40}\bquestions?\b|"
                    r"\bquestions? (was |were )?(answered|taken|fielded|handled) by\b|"
                    r"\bdid \w+( \w+)? (answer|respond|reply|take it|field it)\b.{0,30}\b(or|someone else|"
                    r"another|a colleague)\b"),
    # "How did the spokesperson introduce the guest?" (after "who answered …, and how was he introduced?").
    ("introduced", r"\bhow (did|was|were) .{0,40}\b(introduced?|presented?|welcomed?)\b"),
    ("asked", r"\b(what|which) (did|was|were)\b.*\b(ask|asking|question|questions|want(ed)? to (know|find out|learn)|inquir\w+)\b|"
              r"\bwhat was .*'s? question\b|\bwhat did .* ask\b"),
    ("answered", r"\b(which|what|whose) (other |of the )?questions? did\b|\bwhat (was|were) \w+( \w+)? asked\b|"
                 r"\b(which|what) questions? (was|were)\b.{0,40}\basked\b|"
                 r"\bwhich (OUTLET_N|questions?|exchanges?)\b.*\b(answer|take|field|handle|respond|repl|kept|keep|address|deal)|"
                 r"\b(which|what) questions? (went|were (directed|put|addressed|sent)) to\b|"
                 r"\bdid \w+( \w+)? (get|receive|take|field) (any )?questions?\b|"
                 r"\b(which|what) \w+'s? questions? did\b|"
                 r"^\W*(list|name|show) (all )?(the )?questions \w+( \w+)? (answered|took|fielded|handled)\b"),
    ("about", r"\bwhat (was|is) (this|the|today's|that) (briefing|press conference|conference|event|session) "
              r"(about|on|called|titled|part of)\b|\b(title|topic|theme|subject|name) of (this|the|today's) "
              r"(briefing|press conference|conference|event)\b|\b(what|which) ([\w-]+ ){0,2}series\b|\bwho (organi[sz]ed|held) "
              r"(this|the|today's) (briefing|press conference|conference)\b|\bwhere (was|is|did) (the|this|today's) "
              r"(briefing|press conference|conference|event) (held|take place|taking place)\b|"
              r"\bwhat did the (moderator|host|chair\w*|spokes\w+) say (at the (start|beginning)|before|to open|first)\b"),
    ("title", r"\b(titles?|rank)\b|\bname of\b|"
              # "his job", "Okafor's role", "what position does Ge Shu hold" (not "what does a job cost")
              r"(\b(his|her|their)|['’]s) (current |official |exact )?(positions?|roles?|jobs?|posts?)\b|"
              r"\b(what|which) (position|job|role|post)s? (do|does|did|is|was|are|were)\b(?!.*\bplay)|"
              r"\bthe (position|job|role|post) of\b|\bwhat('s| is| was) (his|her) name\b|"
              r"\bwho (is|was) ((mr|ms|mrs|dr)\.? )?[\w'-]+( [\w'-]+)?\s*\??\s*$|\bwhat does \w+( \w+)? do\b|"
              r"\bwhere (does|did) \w+( \w+)? work\b|\bwho (does|did) \w+( \w+)? work for\b|"
              r"\b(what|which) (organi[sz]ation|agency|department|office|body|institution)\b.{0,30}\b(from|with|work|"
              r"represent|belong)|"
              r"\b(which|what) (department|bureau|office|agency|ministry|organi[sz]ation)\b.{0,40}\b(head|lead|run|"
              r"work|represent|direct)"),
))
# With two officials named, these also ask for a comparison ("Did X and Y agree on …", "… the same way?").
AGREE_RE = re.compile(r"\b((each|both|all three|all) of them|(did|does|do) each|each (one|official|side|of the two)|(dis)?agree[sd]?|the same (way|view|line|position|figures?|numbers?|data|points?|message|"
                      r"answer|thing|statistics?|stats|story|picture|account)|similar(ly)?|in common|line up|match(es|ed)?|consistent|square|tally|align)\b", re.I)
COMPARE_RE = re.compile(r"\b(compare[ds]?|comparing|comparison|contrast\w*|set\b.{1,80}\bagainst|differ(s|ed|ing|ently)?|"
                        r"different(?=\s*(\?|$|from|between|in how|in what|on\b))|difference\w*|versus|vs\.?|"
                        r"side by side|how did .* and .* (each|both)|what did .* and .* (each|both) say)\b", re.I)
SUMMARY_RE = re.compile(r"\b(summar\w+|synopsis|pr[eé]cis|sum (it |this |that )?up|gist|(central|core|overall|big|principal) (messages?|points?|"
                        r"ideas?|themes?)|main (points?|messages?|themes?|takeaways?)|key "
                        r"(points?|messages?|takeaways?|themes?)|takeaways?|highlights|break(ing)? (it |this |that )?down|"
                        r"boil(ed)? (it |this |that )?down|upshot|bottom line|essence|recap|in a nutshell|tl;? ?dr|"
                        r"overview of|in brief|nutshell|main ideas?|short version|in short|quick (rundown|recap)|recap\w*|headline (points?|messages?|takeaways?)|what'?s new\b|what is new\b|what was (the|his|her) (opening|answer|statement)"
                        r" about|brief (me|rundown))\b", re.I)
LIST_RE = re.compile(r"^\s*(list|name|enumerate|outline)\b|\b(list|enumerate) (the|all|every)\b|\bname (the|all)\b|"
                     r"\bwhat (are|were) (the|all the|some of the)\b|\bwhich (countries|regions|provinces|cities|"
                     r"treaties|agreements|systems|measures|steps|areas|industries|fields|sectors|organi[sz]ations|"
                     r"programs|programmes|projects|tasks|policies|laws|regulations|economies|partners)\b|"
                     r"\bwhat (measures|steps|actions|initiatives|policies|tasks|priorities|areas|achievements|plans|"
                     r"reforms|services|mechanisms|systems|industries|regulations|laws)\b|"
                     r"\b(the|all the|top) (two|three|four|five|six|seven|eight|nine|ten|\d{1,2}) "
                     r"(?!percent|per|times|years?|months?|days?|million|billion|yuan|points?)\w+", re.I)
OVERVIEW_RE = re.compile(r"\bwhat (came|comes) up\b|\bwhat( (exactly|precisely|else|actually|really))?( (did|do|does|was|were|has|have)\b|'d\b|’d\b).{0,60}\b(say|said|"
                         r"mention\w*|talk\w*|speak|claim\w*|"
                         r"spoke|tell|told|note|noted|stress\w*|comment\w*|think|discuss\w*|cover\w*|report\w*|"
                         r"present\w*|announc\w*|shar\w*)\b.{0,12}"
                         r"\b(about|on|regarding|concerning|of)\b|\bwhat (was|were) (said|stated|announced|reported|mentioned|discussed)\b|\bwhat (is|was|are|were) "
                         r"(his|her|their|the) (view|views|position|take|stance)\b|\b(views?|stance|position) on\b|"
                         r"\bdid (they|anyone|anybody|the officials|officials|the speakers|any officials?) (say|mention|talk|discuss|comment|address|touch)\b|"
                         r"\banything (about|on)\b|"
                         r"\b(say|said|talk|talked|speak|spoke|comment|commented)\s+(anything\s+)?(about|regarding|"
                         r"concerning)\b|\bwhat (points|remarks|comments|arguments) did\b|\b(every|each|all) "
                         r"(mentions?|references?) (of|to)\b|\beverything (that was |they )?(said )?(about|on)\b", re.I)
# What a follow-up may call the previous answer's words ("Does the deputy's version differ?").
VIEW_WORDS = {"account", "version", "view", "views", "take", "position", "stance", "figure", "figures", "number",
              "numbers", "answer", "story", "line", "see", "it", "way", "say", "said"}
WHO_RE = re.compile(r"^\W*(who|which (official|speaker|person|one|of the officials|of them))\b", re.I)
FIGURES_RE = re.compile(r"\b(what|which|any) (numbers|figures|statistics|stats|data points)\b", re.I)
# A comparison of people's words ("how do the officials' views differ"), not of one figure against another
# ("how does that growth compare with the world?", "now vs 2013").
VIEWS_OF_MANY_RE = re.compile(r"\b(officials|speakers|panel\w*|they|them|their|views?|positions?|stances?|each|everyone|"
                              r"approach\w*|emphas[ie]s)\b", re.I)
# "he"/"she" as the one who speaks: "Did he say …", "he mentioned", "What did she add".
SPEECH = r"(say|said|mention\w*|tell|told|talk\w*|add\w*|claim\w*|note\w*|stress\w*|describe\w*|explain\w*|cite\w*|bring up|brought up|point\w* out|give|gave)"
SUBJECT_RE = re.compile(rf"\b(did|does|has|had|will|would|could)\s+(?P<who>he|she)\s+((also|really|ever|actually|even) )?"
                        rf"{SPEECH}\b|\b(?P<who2>he|she)\s+((also|really) )?{SPEECH}\b", re.I)
PRONOUN_RE = re.compile(r"\b(he|him|his|she|her|hers|that official|this official|the same official|"
                        r"that speaker|the same speaker)\b", re.I)
FEMININE_RE = re.compile(r"\b(she|her|hers)\b", re.I)
OPENING_RE = re.compile(r"\b(opening|introductory|intro)\b.{0,20}\b(statement|remarks|speech|address|"
                        r"introduction)\b|\b(opening|introduction)\b|\b(statement|remarks) at the (start|beginning)\b",
                        re.I)
TOPIC_CHANGE_RE = re.compile(r"^\s*(?:and |but |so |ok,? |okay,? )?(?:what|how) about\s+(?P<t>.+?)\??\s*$|"
                             r"^\s*(?:and|also|now)\s+(?P<t2>[^?]+?)\??\s*$", re.I)


PLURAL_ASK_RE = re.compile(r"\b(?:which|what)\s+(?!about\b|of\b)((?:[\w'-]+\s+){0,3}?)([a-z][\w-]*[^su\W]s)\b"
                           r"(?=\s+\w|\s*\?|/\w)", re.I)  # "what campaigns/events …" too
NOT_PLURAL = {"is", "was", "has", "does", "this", "its", "his", "hers", "yours", "always", "perhaps", "news", "status",
              "progress", "process", "business", "success", "address", "analysis", "basis", "emphasis", "access",
              "series", "means", "headquarters", "species", "whereas", "towards", "afterwards", "happens", "remains",
              "seems", "goes", "comes", "makes", "matters", "needs", "counts", "stands", "looks", "works", "takes"}


OBJECT_STARTS = {"the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "china's",
                 "chinese", "our", "any", "some", "all", "more"}

# With an outlet named, a question about its question ("jiangsu broadcasting question topic?", "Did China Daily
# get to ask anything?") as opposed to one about the answer it got ("In the answer to China Daily, how many …").
ASKS_RE = re.compile(r"\b(ask\w*|questions?|quer(y|ies)|topic|subject|wanted to know|find out|inquir\w+|raised?)\b",
                     re.I)
ANSWER_WORDS_RE = re.compile(r"\b(answer\w*|respon\w+|repl\w+|said|say\w*|tell|told|explain\w*|mention\w*)\b", re.I)
ASK_WORDS = {"ask", "asked", "asking", "question", "questions", "query", "queries", "topic", "subject", "wanted",
             "know", "inquire", "inquired", "raise", "raised", "put", "panel", "need", "get", "got", "anything", "so",
             "if", "reporter", "reporter's"}
COUNT_WORDS = {"questions", "reporters", "journalists", "outlets", "media", "news", "organizations", "organisations",
               "speakers", "officials", "exchanges", "people", "cnipa", "stage", "podium", "panel", "dais", "rostrum",
               "present", "attended", "attend", "took", "part", "participated", "spoke", "got", "total", "altogether",
               "were", "up", "asked", "answered", "panelists", "panellists", "briefers", "guests", "each", "times",
               "called", "invited", "answer", "floor", "during", "q&a"}
# "the Third Belt and Road High-Level Conference": an event by its name, not this briefing.
NAMED_EVENT_RE = re.compile(r"(?:[A-Z][\w-]*\s+(?:(?:and|on|of|for)\s+)?){2,}(?:Conference|Forum|Summit|Expo|Meeting|Congress|"
                            r"Session|Plenum)\b")
BRIEFING_RE = re.compile(r"\b(briefing|press conference|presser|conference|event|session)\b", re.I)
# Structure kinds a short follow-up carries over ("… and the one from Jiangsu Broadcasting?").
CARRIED = ("asked", "answered_by", "asked_about", "first_last", "handoffs", "answered", "count", "title")

STEP_RE = re.compile(r"\b(next|following|previous|preceding|one before|one after)\b", re.I)
STEP_WORDS = {"next", "following", "previous", "preceding", "one", "ones", "before", "after", "took", "take", "taken",
              "answered", "handled", "fielded", "asked"}

ORDINALS = {w: i for i, w in enumerate(("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                                        "ninth", "tenth", "eleventh", "twelfth"), 1)}
NTH_RE = re.compile(rf"(?:\bthe|\b(?:his|her|their)|[\w.]['’]s?) ({ORD}) (question|exchange|one|answer|reply|response)\b|\bquestion (?:no\.|number|#) ?(\d{{1,2}})\b", re.I)

# The request after a framing lead ("Quick bullets for my board: …", "Thailand came up, didn't it? What was said
# about it?"): a break, then a part that asks on its own, without "it"/"this" pointing back into the lead.
FOCUS_BREAK_RE = re.compile(r"(?<=[.?!:])\s+(?=\S)|\s[—–]\s|\s--?\s(?=[A-Za-z])")  # "Switching topics - what …"


def asking_part(question: str) -> str:
    """The last part of a question after a break ("I'm writing a brief: what were the takeaways?" -> "what were the
    takeaways?"), where what it asks is said."""
    return FOCUS_BREAK_RE.split(question.strip())[-1]


POINTS_BACK_RE = re.compile(r"\b(it|its|this(?! (briefing|press conference|conference|session|event))|these|those|them|"
                            r"they|their|that one|such|so|there|then|above)\b", re.I)
ASKS_ON_ITS_OWN_RE = re.compile(r"\?\s*$|^\W*(who|whom|whose|what|which|when|where|why|how|list|name|give|summari[sz]e|"
                                r"sum up|outline|tell|describe|explain|key|main)\b", re.I)

# When no passage answers a question, words about the briefing's own make-up say which structure question it may be
# ("who was like chairing the press conference the host person", "which CNIPA officials sat on the panel"). Only
# tried after retrieval found nothing (qa/route.py), in this order; with an outlet named, answer words decide.
FALLBACK_CUES: tuple[tuple[str, re.Pattern], ...] = tuple((k, re.compile(p, re.I)) for k, p in (
    ("count", r"\b(how many|head ?count|number of)\b.{0,60}\b(questions|reporters|journalists|outlets|officials|speakers|"
              r"panel\w*)\b|\b(questions|reporters|journalists|outlets|officials)\b.{0,80}\bhow many\b"),
    ("chair", r"\b(chair\w*|host(ed|ing|s)?|moderat\w*|emcee\w*|presid\w*|running the show|mc)\b"),
    ("about", r"\bseries\b"),
    ("speakers", r"\b(panel\w*|on (the )?stage|podium|dais|who'?s[- ]who|line-?up|roster)\b|\bofficials?\b.{0,60}"
                 r"\btitles?\b"),
))
# "Did anyone on the panel address …", "has any official mentioned …": a question about what was said.
SPOKE_OF_RE = re.compile(r"\b(did|has|have|was|were)\b.{0,30}\b(anyone|anybody|any (officials?|speakers?)|someone|"
                         r"somebody|the panel|they|officials)\b.{0,40}\b(address|mention|say|said|talk|discuss|comment|"
                         r"raise|bring|brought|touch|speak|spoke|refer)\w*", re.I)
OUTLET_ANSWER_RE = re.compile(r"\b(answer\w*|respond\w*|repl\w+|field\w*|took|take|handl\w+|pass\w*|hand\w*|"
                              r"introduc\w+|invit\w+)\b", re.I)

