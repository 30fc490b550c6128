"""How a line says what it says: polarity, strength and the words that carry the topic.

Plain Python, no Django, used by ``profiles.parser`` for every line that
enters. People put avoidance and liking in many places of a sentence: before
the topic ("steer clear of X", "big fan of X"), after it ("X bores me", "X
never gets old") or around it ("nothing gory", "keep X away"); intensity
words ("a touch of", "above all", "sometimes") set the strength. What the
words do not decide, the line's section header does.

Every pattern is anchored and every ending is compared with ``endswith``, so
reading a line is linear in its length (a line is checked against the
limits before it gets here).

The phrase lists were written from how people describe their taste in films,
books, music and courses; ``tests/test_phrase_corpus.py`` measures them,
on a part of its corpus too that was never used to tune them.
"""

import re
from dataclasses import dataclass

from profiles import grammar

LIKE = "like"
AVOID = "avoid"

# Strengths the words can set (a line without such words is 1.0). "Less X"
# asks for a little less, not for none: MEDIUM.
STRONG, MEDIUM, MILD = 1.0, 0.5, 0.4


def _phrases(block: str) -> list[str]:
    """A block of phrases separated by ";" or new lines, lowercased, longest first
    (an alternation takes the first that fits: "no more" must come before "no")."""
    found = {" ".join(p.split()).lower() for p in re.split(r"[;\n]", block)}
    return sorted((p for p in found if p), key=len, reverse=True)


def _either(block: str) -> str:
    return "(?:" + "|".join(re.escape(p) for p in _phrases(block)) + ")"


# Words a sentence may open with before it says anything: "but honestly, X".
# Taken off in one pass (``_opened``) before any pattern looks, so no pattern
# has a repeated group in front of another that could take the same words.
_OPENERS = _phrases(
    """and; but; also; just; really; honestly; definitely; so; though; please; oh; ok; okay;
    well; personally; generally; usually; mostly; totally; truly; seriously; hmm; yeah; lately;
    these days; right now; tbh; to be honest; in general; overall; absolutely; genuinely;
    actually; simply; still"""
)
# Who speaks, and how: "I", "I'm", "I've always", "I really", "we".
_SUBJECT = (
    r"(?:(?:i|we|me|im|ive|id|ill)\b(?:'m|'ve|'d|'ll|’m|’ve|’d|’ll|\s+am|\s+have|\s+would"
    r"|\s+do|\s+will|\s+could|\s+can)?\s*)?"
)
_ADVERBS = _either(
    """really; absolutely; truly; totally; just; genuinely; especially; always; still; so;
    definitely; honestly; seriously; actually; also; usually; generally; mostly; simply;
    particularly; completely; utterly; pretty; been; ever; lately; now"""
)
_HOW = rf"{_SUBJECT}(?:{_ADVERBS}\s+)*"

_LIKE_VERBS = _either(
    """like; liked; love; loved; enjoy; enjoyed; adore; adored; want; need; care for; care about;
    dig; get; got; get into; got into; gotten into; go for; fancy; appreciate; feel;
    vibe with; connect with; rate; rated;
    see the appeal of; understand; enjoy watching; enjoy reading; like watching; like reading"""
)
_NEGATED = _either(
    """do not; don't; dont; does not; doesn't; did not; didn't; never; no longer; not; am not;
    'm not; would not; wouldn't; won't; can't say i; cannot say i; can't really; never really"""
)
_FONDNESS = _either(
    """a fan of; a big fan of; a huge fan of; a great fan of; much of a fan of; a fan; into;
    keen on; fond of; interested in; big on; crazy about; wild about; sold on; a person for;
    a huge fan; a big fan; excited about; drawn to; bothered about; a lover of"""
)
# A like said with words that look negative: checked before any avoid.
_LIKE_DESPITE_NEGATION = [
    (r"nothing (?:beats|tops|compares to|is better than)", STRONG),
    (rf"{_HOW}(?:can't|cannot|can never|could never|never) get enough(?: of)?", STRONG),
    (rf"{_HOW}(?:never|don't ever|do not ever) (?:get|grow) tired of", STRONG),
    (rf"{_HOW}(?:can't|cannot|never) (?:say no to|resist|pass up)", STRONG),
    (rf"{_HOW}(?:never|don't|do not) (?:miss|skip) (?:a|an|any)", STRONG),
    *((rf"{_HOW}{p}", MEDIUM if "mind" in p else STRONG) for p in grammar.DESPITE),
]
_AVOID_VERBS = _either(
    """had my fill of; have had my fill of; 've had my fill of; had it up to here with;
    hate; hated; dislike; disliked; detest; loathe; despise; can't stand; cannot stand;
    can't bear; cannot bear; can't abide; cannot abide; can't take; cannot take; can't handle;
    cannot handle; can't deal with; cannot deal with; couldn't care less about;
    could not care less about; have no time for; have no patience for; have had enough of;
    had enough of; have had it with; had it with; allergic to; sick of; tired of; done with;
    so done with; over; so over; fed up with; bored of; bored with; bored by; turned off by;
    put off by; grossed out by; scared of; steer clear of; stay away from; keep away from;
    avoid; avoiding; skip; skipping; pass on; would pass on; 'd pass on; would rather not;
    'd rather not; rather not; would rather avoid; 'd rather avoid; 'd rather skip;
    rather skip; prefer not; prefer to avoid; prefer to skip; could do without;
    can do without; could live without; can live without; want nothing to do with;
    want no part of; want no more; want less; want fewer; count me out of; count me out on;
    draw the line at; give up on; gave up on; am giving up on; cringe at; gone off; 've gone off;
    have gone off; went off; gone right off; fallen out of love with; fell out of love with;
    lost interest in; lost all interest in; grown out of; outgrown; moved on from;
    can't be doing with; cannot be doing with; can't be bothered with; not one for;
    not really one for; no fan of"""
)
_AVOID_WORDS = _either(
    """spare me; hold the; get rid of; cut out; ditch; ban; banish; block; filter out;
    leave out; no thanks to; no thank you to; thanks but no thanks to; no interest in;
    zero interest in; not interested in; not keen on; not a fan of; not big on; not into;
    not for me; not my thing; not my cup of tea; anything but; anything except;
    everything but; everything except; none of; not another; not more; no more;
    nothing more; enough with; enough of; never again; away with; down with; hard pass on;
    nope to; nope; nah to; nah; minus; sans; without; except; excluding; other than;
    apart from; don't show me; do not show me; don't recommend; do not recommend;
    don't give me; do not give me; no need for; no room for; not in the mood for;
    don't suggest; do not suggest; don't send me; do not send me; don't offer me;
    don't offer; stop suggesting; stop recommending; stop showing me"""
)
_LESS = _either(
    """not too much; not so much; not much; less of; less; fewer; cut down on; cut back on;
    tone down; turn down; dial down; dial back; scale back on; scale back; go easy on; easy on;
    lighter on; light on; a bit less; a little less; somewhat less; slightly less; a bit fewer;
    a little fewer; slightly fewer; could do with less; could do with fewer; not as much"""
)
_NO = _either(
    """nothing with; nothing about; nothing like; nothing that is; nothing that's;
    nothing too much; nothing too; nothing overly; nothing involving; nothing featuring;
    nothing remotely; nothing even; nothing in the way of; no; zero; nothing; never; not;
    none"""
)
_AVOID_BEFORE = [
    (rf"{_HOW}{_NEGATED}\s+(?:{_ADVERBS}\s+)*(?:{_FONDNESS}|{_LIKE_VERBS})", STRONG),
    # Any verb of taking a thing in, negated: "never warmed to", "can't get into".
    (
        rf"{_HOW}(?:[a-z]+ly\s+)?{grammar.NEGATION}\s+(?:{_ADVERBS}\s+)*{grammar.NEGATED_VERB}",
        STRONG,
    ),
    (rf"{_HOW}{_AVOID_VERBS}(?: the| any| all)?", STRONG),
    # "done buying X", "finished reading X": a verb in -ing after being done.
    (
        rf"{_HOW}(?:so\s+)?(?:done|finished|through)\s+[a-z]+ing(?: with)?(?: the| any| all)?",
        STRONG,
    ),
    (rf"(?:please |just )?{_AVOID_WORDS}(?: the| any| all)?", STRONG),
    (rf"{_LESS}(?: the)?", MEDIUM),
    (rf"(?:please |absolutely |definitely |certainly )?{_NO}", STRONG),
]
_LIKE_BEFORE = [
    (
        rf"{_SUBJECT}(?:kind of|kinda|sort of|sorta|somewhat|quite|mildly) "
        r"(?:like|enjoy|love|dig|into)",
        MEDIUM,
    ),
    (
        rf"{_HOW}"
        + _either(
            """love; adore; enjoy; like; dig; crave; craving; devour; binge; binge on;
            read; watch; listen to; stream; collect; follow; obsessed with; hooked on;
            addicted to; a fan of; a big fan of; a huge fan of; a massive fan of; big fan of;
            huge fan of; fan of; a sucker for; sucker for; a big sucker for; into; all about;
            partial to; fond of; keen on; live for; mad about; crazy about; can't wait for;
            go for; go wild for; gravitate to; gravitate towards; lean towards; tend to like;
            tend to enjoy; want; need; prefer; in the mood for; looking for; after;
            would like; 'd like; would love; 'd love; wish for; hope for; up for; always up for;
            appreciate; treasure; cherish; swear by; rave about; geek out over;
            nerd out over; eager to learn; keen to learn; want to learn; would like to learn;
            getting into; got into; starting to like; starting to enjoy; warming to;
            warming up to; get better at; getting better at; improve my; improving my;
            brush up on; brushing up on; brush up my; brushing up my; practise; practice;
            practising; practicing; study; studying; master; mastering; pick up;
            'd like to learn; love learning; enjoy learning; learning; excited about;
            drawn to; a lover of; lover of"""
        ),
        None,
    ),
    (
        _either(
            """give me; gimme; show me; bring on; bring me; more; more of; lots of; plenty of;
            heaps of; tons of; loads of; yes to; yes please to; yes please; yes; always;
            anything with; anything by; anything about; anything involving;
            anything featuring; anything from; anything; everything by; everything from;
            everything about; recommend me; recommend; suggest; count me in for; count me in on"""
        )
        + r"(?: the| some| any| more)?",
        None,
    ),
]

# Said after the topic: lowercased endings, compared with endswith.
_AVOID_ENDINGS = _phrases(
    """bores me; bore me; bores me to tears; bore me to tears; is boring; are boring; is dull;
    are dull; isn't for me; is not for me; aren't for me; are not for me; not for me;
    isn't my thing; is not my thing; aren't my thing; not my thing; isn't my cup of tea;
    is not my cup of tea; not my cup of tea; isn't my jam; not my jam; isn't my scene;
    isn't my style; is not my style; aren't my style; not my style; isn't my speed;
    not my speed; isn't my bag; not my bag; isn't my vibe; not my vibe; isn't my genre;
    not my genre;
    not my scene; never again; no thanks; no thank you; thanks but no thanks; no way;
    ugh; yuck; eww; ew; meh; blah; yawn; no ta; not a chance; no chance; not happening;
    never ever; hell no; god no; no no; not today; i'll pass; i will pass; i'd pass;
    goes over my head; go over my head; isn't me; is not me; aren't me; is just not me;
    hard pass; pass; nope; nah; please no; no please; not again; gets on my nerves;
    get on my nerves; annoys me; annoy me; irritates me; irritate me; leaves me cold;
    leave me cold; does nothing for me; do nothing for me; doesn't do it for me;
    don't do it for me; doesn't work for me; don't work for me; puts me to sleep;
    put me to sleep; makes me cringe; make me cringe; is a turn off; are a turn off;
    is a turn-off; are a turn-off; turns me off; turn me off; is overrated; are overrated;
    is the worst; are the worst; is unbearable; are unbearable; is too much for me;
    are too much for me; makes me queasy; make me queasy; gives me nightmares;
    give me nightmares; i can do without; i could do without; can do without;
    could do without; i can live without; can live without; is a no; are a no; is a no-go;
    are a no-go; is a dealbreaker; are a dealbreaker; is a deal breaker;
    are a deal breaker; i'm over; i am over; i'm done with; i'm so done with;
    is dead to me; are dead to me; not so much; not really; no more; not anymore;
    no longer; grates on me; grate on me; i avoid; i skip; i hate; i dislike;
    i can't stand; i cannot stand; i don't like; i do not like; i don't enjoy;
    i don't want; makes me yawn; make me yawn; drags; drag on; drags on; scares me;
    scare me; frightens me; frighten me; upsets me; upset me; depresses me; depress me;
    is a slog; are a slog; is a slog for me; are a slog for me; is a chore; are a chore;
    is a drag; are a drag; feels like homework; feel like homework; is a waste of time;
    are a waste of time; a waste of time; is a waste of money; are a waste of money;
    is pointless; are pointless; is tedious; are tedious; is tiresome; are tiresome;
    is exhausting; are exhausting; i can skip; can be skipped; i never liked;
    i never enjoyed; i've never liked; never liked; never worked for me;
    never did it for me; is not it; isn't it"""
)
_LESS_ENDINGS = _phrases("less please; less often; a bit less; a little less; less of it")
# The same endings with a softener inside: "isn't really for me".
_SOFTENERS = ("really ", "quite ", "exactly ", "particularly ", "actually ", "at all ")
_AVOID_ENDINGS = sorted(
    {
        *_AVOID_ENDINGS,
        *(
            ending.replace(negation, negation + softener, 1)
            for ending in _AVOID_ENDINGS
            for negation in ("n't ", "not ")
            if negation in ending
            for softener in _SOFTENERS
        ),
    },
    key=len,
    reverse=True,
)
_LIKE_ENDINGS = _phrases(
    """is my jam; are my jam; is my thing; are my thing; is my favourite; are my favourite;
    is my favorite; are my favorite; are my favourites; are my favorites; is my happy place;
    never gets old; never get old; all the way; all the way for me; always works for me;
    always work for me; works for me;
    work for me; for days; all day; all day long; any day; any time; anytime; every time;
    every day; every single day; daily; all the time; 24/7; please; yes please; always;
    forever; for life; is the best; are the best; is great; are great; is amazing;
    are amazing; rocks; rules; is my guilty pleasure; are my guilty pleasure;
    are my guilty pleasures; gets me every time; get me every time; hits the spot;
    hit the spot; is my weakness; are my weakness; i can't get enough of; i love; i like;
    i enjoy; i adore; is a must; are a must; is a yes; are a yes; is always a yes;
    are always a yes; i'm into; i am into; is my comfort; are my comfort; make me happy;
    makes me happy; cheer me up; cheers me up"""
)
_FINE_ENDINGS = _phrases("is fine; are fine; is ok; are ok; is okay; are okay; is fine too")
# "X is too loud for me", "X gets way too dark for me": an avoid, whatever "too" is.
_TOO_MUCH_FOR_ME = re.compile(
    r"\s+(?:is|are|gets|get|feels|feel|seems|seem|can be|tends to be|tend to be)"
    r"(?:\s+(?:way|far|a bit|a little|just|often|usually|always|kind of|kinda|so))?\s+"
    r"(?:(?:way|far|much|just|a bit|a little|a tad|a touch)\s+)?too\s+(?!good\b|much fun\b)[\w-]+"
    r"(?:(?:\s+[\w-]+)?\s+(?:for|to)\s+(?:me|my\s+(?:taste|liking|ears|eyes|stomach|nerves)))?$",
    re.IGNORECASE,
)
# How a thing makes the person feel, said after it: "X bores me stiff",
# "X drives me up the wall", "X stresses me out". A verb of a bad feeling
# with "me" after it is an avoid whatever the words around it; a few verbs
# say it only with their particle ("X puts me off", not "X puts me in a mood").
_BAD_FEELING = _either(
    """bore; annoy; irritate; depress; scare; frighten; terrify; upset; drain; exhaust; tire;
    frustrate; disgust; bother; sicken; nauseate; repel; alienate; anger; infuriate; enrage;
    confuse; lose; numb; bug; grate on; get to; drive"""
)
# Said only with a particle after "me": "X puts me off", not "X puts me in a good mood".
_BAD_WITH_PARTICLE = _either("gross; creep; freak; stress; wear; put; turn; wind; weird")
_BAD_FEELING_AFTER = re.compile(
    r"\s+(?:(?:really|just|totally|always|usually|kind of|kinda|honestly|so|quickly)\s+){0,2}"
    rf"(?:(?:{_BAD_FEELING})(?:s|es|d|ed)?\s+me"
    rf"|(?:{_BAD_WITH_PARTICLE})(?:s|es|d|ed)?\s+me\s+(?:out|off|up|down)"
    r"|gives?\s+me\s+(?:the\s+(?:creeps|ick|willies|heebie-jeebies|shivers)|a headache|hives)"
    # "X makes me want to leave the room", "X makes my head spin": an urge to
    # get away, or a part of the person that suffers.
    r"|makes?\s+me\s+want\s+to\s+(?:leave|run|scream|quit|sleep|cry|hide|switch off|turn it off"
    r"|skip|throw up|puke|give up|tear my hair out)(?:\s+[\w']+){0,3}"
    r"|makes?\s+my\s+(?:head|brain|eyes|ears|skin)\s+(?:spin|hurt|ache|bleed|glaze over|crawl"
    r"|explode|melt))"
    r"(?:\s+(?:out|off|up|down|nuts|crazy|mad|insane|bananas|up the wall|round the bend"
    r"|around the bend|to sleep|to tears|stiff|senseless|silly|to death|every time|so much"
    r"|a lot|right away|instantly|immediately|completely|totally))*$",
    re.IGNORECASE,
)
# What the person thinks of it, said after it: "X is so dull", "X are a hard
# no for me", "X feels pretentious"; or before it: "I find X tedious".
_VERDICT_BAD = _either(
    """boring; dull; tedious; tiresome; tiring; annoying; irritating; grating; pretentious;
    overrated; cheesy; corny; cringe; cringey; cringy; cringeworthy; gross; lame; meh; awful;
    terrible; dreadful; horrible; bad; unbearable; unwatchable; unreadable; unlistenable;
    painful; exhausting; draining; depressing; stressful; pointless; useless; insufferable;
    obnoxious; forgettable; a bore; a snooze; a snoozefest; a turn-off; a turnoff; a no;
    a hard no; a big no; a firm no; a definite no; an absolute no; hard no; no-go; a no-go;
    a pass; a hard pass; not good; not great; not it; not for me; a nope; the worst;
    just noise; noise; off the table; off-limits; off limits; out of the question;
    my worst nightmare; my least favourite; my least favorite;
    my pet peeve; my nemesis; the bane of my life; the bane of my existence; samey; same-y;
    repetitive; predictable; formulaic; overdone; overkill; overhyped; over-hyped; creepy;
    grim; bleak; silly; childish; juvenile; shallow; trashy; tacky; gimmicky; cliched;
    clichéd; derivative; bland; flat; slow; sluggish; mid; trash; garbage; rubbish; crap;
    not me; so not me; not my style; not my kind of thing; a waste of time; a waste of money;
    a letdown; a let-down; a disappointment; disappointing; too much; way too much; a bit much;
    hit and miss; hit or miss; not worth it; unbearable to me; lost on me; wasted on me"""
)
_VERDICT_GOOD = _either(
    """great; amazing; awesome; brilliant; fantastic; wonderful; excellent; superb; terrific;
    the best; a joy; a treat; a delight; a must; a must-see; a must-read; a must-listen;
    magic; magical; perfect; underrated; addictive; unbeatable; the greatest; gold; a gem;
    a favourite; a favorite; a yes; fun; so good; really good; my favourite; my favorite;
    useful; helpful; lovely; beautiful; gorgeous; cool; epic; wholesome; relaxing; soothing;
    inspiring; fascinating; interesting; hilarious; delightful; charming; gripping; riveting;
    life; everything; the bomb; fire; a vibe; a must-have; essential; worth it;
    worth every penny; my kind of thing; right up my street; right up my alley"""
)
_VERDICT_VERB = (
    r"\s+(?:is|are|was|were|feels?|seems?|gets?|sounds?|looks?|can be|tends? to be|always is"
    r"|always are|has always been|have always been|has been|have been)"
    r"(?:\s+(?:so|really|just|very|way|pretty|kind of|kinda|a bit|always|usually|often|honestly"
    r"|totally|quite|rather|incredibly|super|simply|mostly|generally|such)){0,3}\s+"
)
_VERDICT_AFTER = [
    (re.compile(rf"{_VERDICT_VERB}(?:{_VERDICT_BAD})(?:\s+(?:for|to|from) me)?$", re.I), AVOID),
    (re.compile(rf"{_VERDICT_VERB}(?:{_VERDICT_GOOD})$", re.I), LIKE),
]
# "X is my comfort food", "X are my go-to": a thing the person calls theirs is
# a like, unless the words say it is their worst.
_MINE_AFTER = re.compile(
    r"\s+(?:is|are|has always been|have always been|will always be)"
    r"(?:\s+(?:so|really|just|totally|honestly|basically|definitely|still|always)){0,2}"
    r"\s+(?:all\s+)?(?:my|our)\s+(?P<what>[\w'’ -]{1,40})$",
    re.IGNORECASE,
)
_NOT_MINE = re.compile(
    r"\b(?:least|worst|nemesis|pet peeves?|nightmares?|enemy|bane|kryptonite|hell|problem"
    r"|limit|weakness no more)\b",
    re.IGNORECASE,
)
# "the more twists the better", "the scarier the better": how much, said as a
# comparison; the line is wanted strongly and the clause is no topic.
_THE_MORE_THE_BETTER = re.compile(
    r"[\s,;:–—-]{0,3}\bthe\s+(?:more|bigger|longer|darker|scarier|weirder|funnier|older"
    r"|louder|faster|harder|nerdier|stranger|[\w-]+er)(?:\s+[\w-]+){0,2}\s+the\s+better$",
    re.IGNORECASE,
)
# "I'm a big documentary buff", "jazz nerd": the person named by what they love.
_FAN_OF = re.compile(
    r"(?:(?:i'?m|i’m|i am|we'?re|we are)\s+)?(?:(?:a|an)\s+)?(?:(?:big|huge|massive|total|real"
    r"|proper|lifelong|die-hard|diehard|bit of a)\s+)?(?P<rest>.+?)\s+(?:buff|fan|lover|nerd"
    r"|geek|junkie|addict|enthusiast|fanatic|aficionado|devotee)s?$",
    re.IGNORECASE,
)
_FIND_IT_BAD = re.compile(
    rf"(?:i|we)\s+(?:always\s+|usually\s+|just\s+)?find\s+(?P<rest>.+?)\s+"
    rf"(?:(?:so|really|just|very|pretty|kind of|kinda|a bit|rather|quite)\s+)?(?:{_VERDICT_BAD})$",
    re.IGNORECASE,
)

# Said around the topic: "keep X away", "keep X to a minimum".
_AROUND = [
    (
        r"keep\s+(?P<rest>.+?)\s+(?:(?:far\s+|well\s+)?away(?:\s+from\s+(?:me|us|my\s+\w+))?"
        r"|out|out of (?:it|my \w+)|to yourself|to themselves)$",
        STRONG,
    ),
    (r"keep\s+(?P<rest>.+?)\s+(?:off my \w+)$", STRONG),
    (r"keep\s+(?P<rest>.+?)\s+to a minimum$", MEDIUM),
]

# Intensity words: at the start of the topic or at its end.
_INTENSITY_BEFORE = [
    (
        _either(
            """a touch of; a hint of; a dash of; a bit of; a little bit of; a little; a smidge of;
            a sprinkle of; the odd; an occasional; the occasional; occasional; some light;
            sometimes; occasionally; now and then; now and again; every now and then;
            every so often; once in a while; from time to time; on occasion;
            on rare occasions; rarely; if anything; maybe; perhaps; possibly; at times;
            the odd bit of"""
        ),
        MILD,
    ),
    (
        _either(
            """somewhat; kind of; kinda; sort of; sorta; fairly; moderately; mildly; partly;
            quite; some; a fair bit of; a moderate amount of; a reasonable amount of"""
        ),
        MEDIUM,
    ),
    (
        _either(
            """above all; most of all; more than anything; first and foremost; especially;
            particularly; definitely; absolutely; seriously; really; totally; truly; always;
            all the; lots of; plenty of; tons of; loads of; heaps of; so much;
            anything and everything; all things; all kinds of; all sorts of; every kind of;
            mostly; mainly; largely; primarily; chiefly; a lot of"""
        ),
        STRONG,
    ),
]
_INTENSITY_ENDINGS = {
    **dict.fromkeys(
        _phrases(
            """sometimes; occasionally; now and then; now and again; every now and then;
            every so often; once in a while; from time to time; on occasion; in small doses;
            at times; a little; a bit; in moderation; here and there; once in a blue moon;
            if i'm in the mood; when i'm in the mood; on a rainy day; every once in a while;
            rarely; seldom; only rarely; only occasionally; only sometimes"""
        ),
        MILD,
    ),
    **dict.fromkeys(_phrases("somewhat; kind of; sort of; to some extent; i guess; ish"), MEDIUM),
    **dict.fromkeys(
        _phrases(
            """above all; most of all; more than anything; above everything; above all else;
            a lot; so much; very much; big time; the most; especially; in particular;
            all day; all day long; all night; any day; any time; anytime; all year round;
            hands down; no question; definitely; for sure; absolutely; of course; obviously;
            100%; without a doubt; every single day; every day; daily; all the time; 24/7"""
        ),
        STRONG,
    ),
}
_INTENSITY_ENDING_ORDER = sorted(_INTENSITY_ENDINGS, key=len, reverse=True)
# Said of when, not what: dropped from the end of a topic.
_WHEN_ENDINGS = _phrases(
    "lately; these days; right now; at the moment; recently; nowadays; for now; anymore;"
    "any more; any longer; no more"
)
# "love stories" names a genre, not a feeling: these nouns after a like verb
# keep the verb as part of the topic.
_VERB_NOUNS = re.compile(
    r"(?:stor(?:y|ies)|songs?|triangles?|letters?|affairs?|interests?|actually|island)\b",
    re.IGNORECASE,
)
_LEADING_FILLER = re.compile(
    r"(?:(?:the|a|an|any|all|some|more|much|too|overly|very|super|really|excessively|another"
    r"|of|stuff like|things like|kinds of|sorts of|type of|types of|good|great|nice|decent"
    r"|solid|proper|watching|watch|reading|read|listening to|listen to|hearing|hear"
    r"|seeing|see|playing|play|taking|take|doing|do|having|getting|being)\s+)*",
    re.IGNORECASE,
)
_POLITENESS = ("please", "thanks", "thank you", "pls", "plz")
_EDGE_PUNCTUATION = " \t,;:.!?-–—…\"'“”‘’*"
_NEGATIVE_OPENINGS = {"no", "never", "not", "nothing", "none"}


def _compiled(patterns):
    # (?!-): "no-nonsense thrillers" and "nothing-happens fiction" hold no "no".
    return [
        (re.compile(rf"(?:{p})\b(?!-)[\s:,\-–—]*(?P<rest>.*)$", re.IGNORECASE), w)
        for p, w in patterns
    ]


_LIKE_DESPITE_NEGATION_RE = _compiled(_LIKE_DESPITE_NEGATION)
_AVOID_RE = _compiled(_AVOID_BEFORE)
_LIKE_RE = _compiled(_LIKE_BEFORE)
_INTENSITY_RE = _compiled(_INTENSITY_BEFORE)
_AROUND_RE = [(re.compile(p, re.IGNORECASE), w) for p, w in _AROUND] + [(_FIND_IT_BAD, STRONG)]
_FAN_RE = [(_FAN_OF, STRONG)]


@dataclass(frozen=True)
class Reading:
    """What a line says: its polarity (None: the words do not say), strength and topic."""

    polarity: str | None
    weight: float | None  # None: the words set no strength
    topic: str  # the line without the words that say how: what gets embedded


_WORD_BREAK = re.compile(r"[\s,;:.!?()\"“”]")
_BY_LAST_WORD: dict[int, dict[str, list[str]]] = {}


def _last_word(text: str) -> str:
    """The last word of ``text`` (hyphens, apostrophes and "/" inside it); a bounded look."""
    return _WORD_BREAK.split(text[-60:])[-1]


def _by_last_word(endings) -> dict[str, list[str]]:
    """``endings`` grouped by their last word, each group longest first (built once per list)."""
    found = _BY_LAST_WORD.get(id(endings))
    if found is None:
        found = {}
        for ending in endings:
            found.setdefault(_last_word(ending), []).append(ending)
        _BY_LAST_WORD[id(endings)] = found
    return found


def _ending(lower: str, endings) -> str | None:
    """The longest of ``endings`` (longest first) that ``lower`` ends with, after a word break.

    Only the endings with the same last word are compared: a line is read
    against a few hundred endings many times over (each place it may turn).
    """
    word = _last_word(lower)
    # A last word that holds an ending's last word after a break ("x-no"): whole list.
    groups = _by_last_word(endings)
    candidates = groups.get(word, ()) if word and word.isalpha() else endings
    for ending in candidates:
        fits = lower.endswith(ending) and len(lower) > len(ending)
        if fits and not lower[-len(ending) - 1].isalnum():
            return ending
    return None


def _without_ending(text: str, ending: str) -> str:
    text = text.rstrip(_EDGE_PUNCTUATION)
    return text[: len(text) - len(ending)].rstrip(_EDGE_PUNCTUATION)


def _first(patterns, text: str):
    for pattern, weight in patterns:
        match = pattern.match(text)
        if match and match["rest"].strip(_EDGE_PUNCTUATION):
            return match["rest"], weight
    return None


def _lower(text: str) -> str:
    return text.lower().rstrip(_EDGE_PUNCTUATION)


def _intensity(topic: str) -> tuple[str, float | None]:
    """The topic without its intensity and time words, and the strength they stand for."""
    weight = None
    more = _at_end(_THE_MORE_THE_BETTER, topic)
    if more and topic[: more.start()].strip(_EDGE_PUNCTUATION):
        topic, weight = topic[: more.start()], STRONG
    found = _first(_INTENSITY_RE, topic)
    if found:
        topic, weight = found
    for _ in range(2):  # "jazz, lately, sometimes"
        ending = _ending(_lower(topic), _WHEN_ENDINGS)
        if ending:
            topic = _without_ending(topic, ending)
        ending = _ending(_lower(topic), _INTENSITY_ENDING_ORDER)
        if ending:
            topic = _without_ending(topic, ending)
            strength = _INTENSITY_ENDINGS[ending]
            weight = strength if weight is None else min(weight, strength)
    return topic, weight


def _clean_topic(topic: str) -> str:
    topic = topic.strip(_EDGE_PUNCTUATION)
    for word in _POLITENESS:
        if topic.lower().endswith(" " + word):
            topic = topic[: -len(word)].strip(_EDGE_PUNCTUATION)
    filler = _LEADING_FILLER.match(topic)
    rest = topic[filler.end() :] if filler else topic
    return (rest if rest.strip(_EDGE_PUNCTUATION) else topic).strip(_EDGE_PUNCTUATION)


def topic_of(words: str) -> str:
    """The topic in ``words`` once what said how is gone: intensity and filler off."""
    topic, _ = _intensity(words)
    return _clean_topic(topic)


def _looks_like_a_title(text: str) -> bool:
    """ "Never Let Me Go", "No Country for Old Men": capitalised words, read as a title."""
    words = text.split()
    small = {"a", "an", "the", "of", "for", "to", "in", "on", "and", "or", "me", "at", "with"}
    return (
        len(words) >= 3
        and words[0].lower() in _NEGATIVE_OPENINGS
        and all(w[0].isupper() or w in small for w in words if w[0].isalpha())
    )


_OPENER_RE = re.compile("(?:" + "|".join(re.escape(o) for o in _OPENERS) + r")[ ,]+", re.IGNORECASE)


def _opened(text: str) -> str:
    """``text`` without the words it opens with ("but honestly, X" -> "X"); linear:
    one pass along the text, each opener matched where the last one ended."""
    start = 0
    while True:
        opener = _OPENER_RE.match(text, start)
        if opener is None or not text[opener.end() :].strip(" ,"):
            return text[start:]
        start = opener.end()


def _said_before(text: str) -> tuple[str | None, str, float | None]:
    for patterns, side in ((_LIKE_DESPITE_NEGATION_RE, LIKE), (_AROUND_RE, AVOID)):
        found = _first(patterns, text.rstrip(_EDGE_PUNCTUATION) if side == AVOID else text)
        if found:
            return side, *found
    found = _first(_AVOID_RE, text)
    if found:
        return AVOID, *found
    found = _first(_FAN_RE, text.rstrip(_EDGE_PUNCTUATION))
    if found:
        return LIKE, *found
    found = _first(_LIKE_RE, text)
    if found and not _VERB_NOUNS.match(found[0]):
        return LIKE, *found
    return None, text, None


# The patterns said at the end of a line look at its last this many
# characters only: each is far shorter, and a long line stays cheap to read.
TAIL = 160


def _at_end(pattern: re.Pattern, text: str) -> re.Match | None:
    return pattern.search(text, max(0, len(text) - TAIL))


def _judged_after(text: str, lower: str) -> tuple[str | None, str, float | None]:
    """A feeling or a verdict said after the topic ("X bores me stiff", "X is
    so dull", "X are my comfort food"), in general words: see ``_said_after``."""
    feeling = _at_end(_BAD_FEELING_AFTER, lower)
    if feeling:
        return AVOID, text[: feeling.start()], STRONG
    for pattern, side in _VERDICT_AFTER:
        verdict = _at_end(pattern, lower)
        if verdict:
            return side, text[: verdict.start()], STRONG
    mine = _at_end(_MINE_AFTER, lower)
    if mine and not _NOT_MINE.search(mine["what"]):
        return LIKE, text[: mine.start()], None
    return None, text, None


def _said_after(text: str) -> tuple[str | None, str, float | None]:
    """``_said_after_topic``, with a verdict the words deny turned round:
    "X never gets boring" is a like, "X just didn't work for me" an avoid."""
    polarity, topic, weight = _said_after_topic(text)
    rest = grammar.denied(topic) if polarity else None
    if rest and rest.strip(_EDGE_PUNCTUATION):
        return (LIKE if polarity == AVOID else AVOID), rest, STRONG
    return polarity, topic, weight


# "X, no" / "X? no": a bare "no" after a break is the verdict on what came before.
_BARE_NO_AFTER = re.compile(r"\s*[,;:?!–—-]+\s*(?:no|nope|nah|no way|no no)$")


def _said_after_topic(text: str) -> tuple[str | None, str, float | None]:
    lower = _lower(text)
    bare_no = _at_end(_BARE_NO_AFTER, lower)
    if bare_no and bare_no.start() > 0:
        return AVOID, text[: bare_no.start()], STRONG
    too_much = _at_end(_TOO_MUCH_FOR_ME, lower)
    if too_much:
        return AVOID, text[: too_much.start()], STRONG
    for endings, side, weight in (
        (_AVOID_ENDINGS, AVOID, STRONG),
        (_LESS_ENDINGS, AVOID, MEDIUM),
        (_FINE_ENDINGS, LIKE, MEDIUM),
        (_LIKE_ENDINGS, LIKE, None),
    ):
        ending = _ending(lower, endings)
        if ending:
            return side, _without_ending(text, ending), weight
    found = _judged_after(text, lower)
    if found[0] is None and (negated := grammar.negated_after(lower)):
        return negated[0], text[: negated[1]], STRONG
    return found


def read(text: str) -> Reading:
    """What ``text`` (one line, no bullet, no strength marker) says, in its own words.

    1. A like said with words that look negative ("nothing beats X"), or an
       avoid said around the topic ("keep X away"), first.
    2. Avoidance before the topic ("steer clear of X", "nothing gory"), then
       liking before it ("big fan of X").
    3. Failing both, avoidance or liking after the topic ("X bores me",
       "X never gets old").
    4. A like that holds an avoid ("give me anything but romance") is an avoid.
    5. Intensity words left around the topic set the strength ("a touch of
       X" is mild, "X above all" strong); the words that said how are left
       out of the topic.
    """
    if _looks_like_a_title(text):
        return Reading(None, None, text)
    text = grammar.untrailed(grammar.spelled(text))
    polarity, topic, weight = _said_before(_opened(text))
    if polarity is None:
        polarity, topic, weight = _said_after(text)
    if polarity == LIKE and (inner := _first(_AVOID_RE, topic)):
        polarity, (topic, weight) = AVOID, inner
    topic, intensity = _intensity(topic)
    if intensity is not None:
        weight = intensity if weight is None else min(weight, intensity)
    # Filler ("the", "any", "watching") goes only where words that said how
    # were taken away: "nothing too scary" is "scary", "the Beatles" stays.
    return Reading(polarity, weight, _clean_topic(topic) if topic != text else text)
