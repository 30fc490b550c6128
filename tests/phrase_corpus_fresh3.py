"""A third held-out phrase set NEVER used to tune the reading (written 7 December, helper h30).

Written in one go, before any change it measures to ``profiles.phrasing``,
``profiles.grammar``, ``profiles.parser``, ``profiles.verdict`` or
``engine.concepts``, and measured on the code as it stood (its first
figures are in docs/EVALUATION.md and in tests/test_phrase_corpus.py). It
must never be used to tune: do not add its lines, or phrases made to fit
its misses, to any phrase list, template or training set, and do not read
its misses line by line; only its figures are printed. When it has been
looked at line by line, say so and write a new one.

Same columns as tests/phrase_corpus.py: section | line | polarity | band |
label, and as tests/phrase_corpus_fresh2.py a line naming two labels joined
by "and", "or", "&" or a comma acts on both, written "Pop+Rock". Domains:
films, books, music, courses, board games, and fitness classes (yoga,
running, strength...), a domain no earlier set has (labels
FRESH3_CATEGORIES: the corpus's, board-game categories as a game shop names
them, and workout categories as a fitness app names its classes). Everyday
phrasings of likes and avoids, paraphrases that never use the label's word,
intensity words, compound lines, typos and casual spellings.
"""

from tests.phrase_corpus import CATEGORIES

FRESH3_CATEGORIES = [
    *CATEGORIES,
    *("Party Games", "Card Games", "Cooperative Games", "Strategy Games", "Word Games"),
    *("Deduction Games", "Wargames", "Dice Games", "Family Games"),
    *("Yoga", "Pilates", "HIIT", "Running", "Cycling", "Strength Training", "Dance"),
    *("Meditation", "Boxing", "Stretching"),
]

FRESH3 = """
likes | horror is a hard pass for me | avoid | strong | Horror
likes | i steer well clear of musicals | avoid | strong | Musical
likes | westerns put me to sleep | avoid | strong | Western
likes | can't be bothered with documentaries | avoid | strong | Documentary
likes | sci fi leaves me cold | avoid | strong | Sci-Fi
likes | i've had my fill of war movies | avoid | strong | War
likes | animated stuff isn't really my cup of tea | avoid | strong | Animation
likes | nope to anything with ghosts in it | avoid | strong | -
likes | thrillers are too tense for me these days | avoid | strong | Thriller
likes | please spare me the romantic comedies | avoid | strong | -
likes | fantasy films are just silly | avoid | strong | Fantasy
likes | i switch off during crime films | avoid | strong | Crime
likes | film noir is too gloomy | avoid | strong | Film-Noir
likes | dont recommend me kids movies | avoid | strong | Children
likes | whodunits are wasted on me | avoid | strong | Mystery
likes | action blockbusters are all noise | avoid | strong | Action
likes | no splatter films thanks | avoid | strong | -
likes | things that go bump in the night | like | strong | Horror
likes | films that keep me guessing who did it | like | strong | Mystery
likes | cowboys and outlaws | like | strong | Western
likes | aliens and time travel | like | strong | Sci-Fi
likes | big explosions and car chases | like | strong | Action
likes | a good tearjerker | like | strong | Drama
likes | hand-drawn cartoons | like | strong | Animation
likes | treasure hunts and jungle expeditions | like | strong | Adventure
likes | films that make me giggle | like | strong | Comedy
likes | true-life docs | like | strong | Documentary
likes | sword and sorcery | like | strong | Fantasy
likes | spy films | like | strong | -
likes | battlefield films | like | strong | War
likes | old hollywood song and dance numbers | like | strong | Musical
likes | shadowy 1940s detective films | like | strong | Film-Noir
likes | heartwarming romance | like | strong | Romance
likes | gangster epics | like | strong | Crime
likes | films to watch with my 5 year old | like | strong | Children
likes | slow-burn psychological suspense | like | strong | Thriller
likes | psychological thrilers | like | strong | Thriller
likes | i roll my eyes at self help | avoid | strong | Self-Help
likes | poetry is lost on me | avoid | strong | Poetry
likes | biographies bore me to tears | avoid | strong | Biography
likes | can't stand teen fiction | avoid | strong | Young Adult
likes | true crime gives me nightmares | avoid | strong | True Crime
likes | travel writing is a snooze | avoid | strong | Travel
likes | I'd rather not read history | avoid | strong | History
likes | graphic novels aren't proper books to me | avoid | strong | Graphic Novels
likes | cookbooks just gather dust at my place | avoid | strong | Cooking
likes | humorous books try too hard | avoid | strong | Humor
likes | no vampire romance please | avoid | strong | -
likes | memoirs of great lives | like | strong | Biography
likes | a good belly laugh from a book | like | strong | Humor
likes | picture books for little ones | like | strong | Children
likes | sonnets and haiku | like | strong | Poetry
likes | coming-of-age novels for teens | like | strong | Young Adult
likes | books about ancient rome | like | strong | History
likes | recipe books | like | strong | Cooking
likes | books on building better habits | like | strong | Self-Help
likes | serial killer case files | like | strong | True Crime
likes | backpacking stories from around the world | like | strong | Travel
likes | superhero comics | like | strong | Graphic Novels
likes | agatha christie style puzzles | like | strong | Mystery
likes | epic quests with elves | like | strong | Fantasy
likes | swoony love stories | like | strong | Romance
likes | literary fiction about families | like | strong | -
likes | jazz sounds like a mess to me | avoid | strong | Jazz
likes | can't handle heavy metal | avoid | strong | Metal
likes | country twang makes me wince | avoid | strong | Country
likes | opera is not my thing | avoid | strong | -
likes | hip hop isn't for me | avoid | strong | Hip-Hop
likes | i've outgrown punk | avoid | strong | Punk
likes | pop music is so shallow | avoid | strong | Pop
likes | reggae all sounds the same to me | avoid | strong | Reggae
likes | electronic music feels soulless | avoid | strong | Electronic
likes | classical puts me to sleep | avoid | strong | Classical
likes | folk songs bore me | avoid | strong | Folk
likes | blues is too slow for me | avoid | strong | Blues
likes | no screamo | avoid | strong | -
likes | skip the christmas songs | avoid | strong | -
likes | bebop and swing | like | strong | Jazz
likes | mosh pit anthems | like | strong | Metal
likes | beethoven and mozart | like | strong | Classical
likes | nashville sounds | like | strong | Country
likes | old school boom bap | like | strong | Hip-Hop
likes | hiphop from the 90s | like | strong | Hip-Hop
likes | dancefloor bangers from the club | like | strong | Electronic
likes | acoustic singer-songwriters with fiddles | like | strong | Folk
likes | three-chord punk | like | strong | Punk
likes | catchy radio hits | like | strong | Pop
likes | delta slide guitar | like | strong | Blues
likes | roots reggae and dub | like | strong | Reggae
likes | stadium rock anthems | like | strong | Rock
likes | lo-fi beats to study to | like | strong | -
likes | i'm terrible at maths so no statistics | avoid | strong | Statistics
likes | marketing courses feel like a scam | avoid | strong | Marketing
likes | done with programming tutorials | avoid | strong | Programming
likes | photography classes are not for me | avoid | strong | Photography
likes | business courses are all buzzwords | avoid | strong | Business
likes | spanish lessons never stick | avoid | strong | Spanish
likes | design courses feel pointless to me | avoid | strong | Design
likes | music theory is too abstract | avoid | strong | Music Theory
likes | no more AI hype courses | avoid | strong | -
likes | writing code for the web | like | strong | Programming
likes | training neural nets and deep learning | like | strong | Machine Learning
likes | analysing data with pandas | like | strong | Data Science
likes | hypothesis testing and regression | like | strong | Statistics
likes | logo and brand design | like | strong | Design
likes | running my own startup | like | strong | Business
likes | growing an audience on social media | like | strong | Marketing
likes | portrait lighting and composition | like | strong | Photography
likes | conversational spanish | like | strong | Spanish
likes | reading sheet music and harmony | like | strong | Music Theory
likes | public speaking courses | like | strong | -
likes | party games make me anxious | avoid | strong | Party Games
likes | wargames are too fiddly | avoid | strong | Wargames
likes | card games bore me | avoid | strong | Card Games
likes | word games make me feel stupid | avoid | strong | Word Games
likes | dice chucking games are too luck based | avoid | strong | Dice Games
likes | social deduction games stress me out | avoid | strong | Deduction Games
likes | no monopoly please | avoid | strong | -
likes | games where we all win or lose together | like | strong | Cooperative Games
likes | trick-taking games with a deck | like | strong | Card Games
likes | hidden role games like werewolf | like | strong | Deduction Games
likes | crosswords and anagram games | like | strong | Word Games
likes | yahtzee style games | like | strong | Dice Games
likes | games to play with a big crowd | like | strong | Party Games
likes | deep euro games with lots of planning | like | strong | Strategy Games
likes | historical battle simulations with miniatures | like | strong | Wargames
likes | quick games the whole family can play | like | strong | Family Games
likes | yoga is too slow for me | avoid | strong | Yoga
likes | i dread burpees | avoid | strong | -
likes | running kills my knees | avoid | strong | Running
likes | spin classes feel like punishment | avoid | strong | Cycling
likes | no weights for me | avoid | strong | Strength Training
likes | I can't dance to save my life | avoid | strong | Dance
likes | meditation makes me fidgety | avoid | strong | Meditation
likes | boxing is too aggressive | avoid | strong | Boxing
likes | pilates isn't worth it for me | avoid | strong | Pilates
likes | sun salutations and downward dog | like | strong | Yoga
likes | core work on the reformer | like | strong | Pilates
likes | short intense interval workouts | like | strong | HIIT
likes | training for my first 10k | like | strong | Running
likes | indoor bike rides | like | strong | Cycling
likes | lifting heavy | like | strong | Strength Training
likes | zumba and dance cardio | like | strong | Dance
likes | mindfulness and breathing | like | strong | Meditation
likes | hitting the heavy bag | like | strong | Boxing
likes | gentle stretching before bed | like | strong | Stretching
likes | low impact workouts for bad knees | like | strong | -
likes | a bit of jazz now and then | like | mild | Jazz
likes | the odd horror film | like | mild | Horror
likes | poetry every so often | like | mild | Poetry
likes | maybe some yoga | like | mild | Yoga
likes | a dash of romance | like | mild | Romance
likes | rarely, a good western | like | mild | Western
likes | westerns are ok i guess | like | medium | Western
likes | fairly into sci-fi | like | medium | Sci-Fi
likes | country's not bad | like | medium | Country
likes | i quite like blues | like | medium | Blues
likes | i don't mind a musical | like | medium | Musical
likes | mostly documentaries | like | strong | Documentary
likes | crime fiction above everything | like | strong | Crime
likes | absolutely obsessed with k-dramas | like | strong | -
likes | i live for thrillers | like | strong | Thriller
likes | total sucker for fantasy | like | strong | Fantasy
likes | a bit less horror | avoid | medium | Horror
likes | tone down the romance | avoid | medium | Romance
likes | fewer war films please | avoid | medium | War
likes | not so much metal lately | avoid | medium | Metal
likes | ease off the cardio | avoid | medium | -
likes | slightly less programming | avoid | medium | Programming
likes | thrillers but nothing too gory | like+avoid | strong | Thriller
likes | sci-fi without the space battles | like+avoid | strong | Sci-Fi
likes | comedy but not slapstick | like+avoid | strong | Comedy
likes | rock, just not the heavy stuff | like+avoid | strong | Rock
likes | history books, minus the war ones | like+avoid | strong | History
likes | yoga but not the hot kind | like+avoid | strong | Yoga
likes | card games, except poker | like+avoid | strong | Card Games
likes | horror without jump scares | like+avoid | strong | Horror
likes | fantasy but no romance subplots | like+avoid | strong | Fantasy
likes | skip the musicals, give me westerns | like+avoid | strong | Western
likes | strategy games but not too long | like+avoid | strong | Strategy Games
likes | mystery and crime | like | strong | Mystery+Crime
likes | pop or rock | like | strong | Pop+Rock
likes | poetry and travel books | like | strong | Poetry+Travel
likes | yoga and pilates | like | strong | Yoga+Pilates
likes | party games & word games | like | strong | Party Games+Word Games
avoids | horror, thrillers | avoid | strong | Horror+Thriller
avoids | metal and punk | avoid | strong | Metal+Punk
avoids | anything with singing | avoid | strong | Musical
avoids | cartoons | avoid | strong | Animation
avoids | spiders | avoid | strong | -
avoids | love songs | avoid | strong | -
avoids | early morning runs | avoid | strong | Running
avoids | marketing | avoid | strong | Marketing
"""
