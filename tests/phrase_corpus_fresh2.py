"""A second held-out phrase set NEVER used to tune the reading (written 6 December, helper h25).

Written in one go, before any change it measures to ``profiles.phrasing``,
``profiles.grammar``, ``profiles.parser`` or ``engine.concepts``, and
measured on the code as it stood (its first figures are in
docs/EVALUATION.md and in tests/test_phrase_corpus.py). Do not add its
lines, or phrases made to fit its misses, to any phrase list or training
set; only its figures are printed. When it has been looked at line by line,
say so and write a new one.

Same columns as tests/phrase_corpus.py: section | line | polarity | band |
label. One addition: a line that names two labels joined by "and", "or",
"&" or a comma ("jazz and blues") acts on both, written "Jazz+Blues" (in
the order said). Domains: films, books, music, courses, and board games
(labels FRESH2_CATEGORIES: the corpus's, plus board-game categories as a
game shop names them), a domain no earlier set gave labels for. Everyday
phrasings, paraphrases that never use the label's word, compound lines,
typos and casual spellings.
"""

from tests.phrase_corpus import CATEGORIES

FRESH2_CATEGORIES = [
    *CATEGORIES,
    *("Party Games", "Card Games", "Cooperative Games", "Strategy Games", "Word Games"),
    *("Deduction Games", "Wargames", "Dice Games"),
]

FRESH2 = """
likes | honestly cannot do horror | avoid | strong | Horror
likes | musicals are torture | avoid | strong | Musical
likes | i really dont vibe with westerns | avoid | strong | Western
likes | count me out of anything sci-fi | avoid | strong | Sci-Fi
likes | war films? no chance | avoid | strong | War
likes | thrillers stress me out too much | avoid | strong | Thriller
likes | docos bore me stupid | avoid | strong | Documentary
likes | not one for fantasy | avoid | strong | Fantasy
likes | romcoms make me roll my eyes | avoid | strong | -
likes | cant be doing with slasher flicks | avoid | strong | -
likes | please no black and white films | avoid | strong | -
likes | I'm over crime dramas | avoid | strong | -
likes | action movies are mindless | avoid | strong | Action
likes | kids films drive me mad | avoid | strong | Children
likes | I wouldn't watch a musical if you paid me | avoid | strong | Musical
likes | sad films wreck me, so no | avoid | strong | -
likes | horrer is a no from me | avoid | strong | Horror
likes | never been into noir | avoid | strong | Film-Noir
likes | cartoons are for kids, not me | avoid | strong | Animation
likes | zero interest in space stuff | avoid | strong | -
likes | i don't get the hype around comedies | avoid | strong | Comedy
likes | mysteries never hold my attention | avoid | strong | Mystery
likes | adventure flicks feel samey | avoid | strong | Adventure
likes | poems go right over my head | avoid | strong | Poetry
likes | self improvement books are cringe | avoid | strong | Self-Help
likes | don't care for celebrity memoirs | avoid | strong | -
likes | YA fiction is not for grown ups | avoid | strong | Young Adult
likes | I find history books dry | avoid | strong | History
likes | true crime feels exploitative to me | avoid | strong | True Crime
likes | comics aren't my kind of reading | avoid | strong | Graphic Novels
likes | travelogues make me yawn | avoid | strong | Travel
likes | nobody needs another cookbook | avoid | strong | Cooking
likes | funny books rarely make me laugh | avoid | strong | Humor
likes | jazz is just noodling | avoid | strong | Jazz
likes | rap music grates on me | avoid | strong | Hip-Hop
likes | metal gives me a headache | avoid | strong | Metal
likes | i'm allergic to country | avoid | strong | Country
likes | techno makes me want to scream | avoid | strong | Electronic
likes | classical is too stuffy for me | avoid | strong | Classical
likes | no pop, please | avoid | strong | Pop
likes | keep the reggae to yourself | avoid | strong | Reggae
likes | punk sounds like shouting | avoid | strong | Punk
likes | folk is too twee | avoid | strong | Folk
likes | the blues depress me | avoid | strong | Blues
likes | rock feels dated to me | avoid | strong | Rock
likes | coding courses went way over my head | avoid | strong | Programming
likes | i'm sick to death of marketing webinars | avoid | strong | Marketing
likes | stats class nearly broke me | avoid | strong | Statistics
likes | no more business seminars | avoid | strong | Business
likes | design is not where my talent lies | avoid | strong | Design
likes | I'll never learn spanish, stop suggesting it | avoid | strong | Spanish
likes | photography courses, been there done that | avoid | strong | Photography
likes | ML courses are too mathsy | avoid | strong | Machine Learning
likes | data science is not for me | avoid | strong | Data Science
likes | music theory bores the life out of me | avoid | strong | Music Theory
likes | party games are a nightmare for introverts like me | avoid | strong | Party Games
likes | no card games, I always lose | avoid | strong | Card Games
likes | war games take way too long | avoid | strong | Wargames
likes | dice games feel too random | avoid | strong | Dice Games
likes | word games aren't my strength | avoid | strong | Word Games
likes | I'm not a fan of games where you lie to your friends | avoid | strong | Deduction Games
likes | heavy strategy games hurt my brain | avoid | strong | -
likes | not keen on co-op games | avoid | strong | Cooperative Games
likes | less violence please | avoid | medium | -
likes | slightly fewer musicals | avoid | medium | Musical
likes | cut down on the horror | avoid | medium | Horror
likes | go easy on the romance | avoid | medium | Romance
likes | not quite so much jazz | avoid | medium | Jazz
likes | dial back the sad songs | avoid | medium | -
likes | could do with less poetry | avoid | medium | Poetry
likes | i adore horror | like | strong | Horror
likes | spooky films | like | strong | Horror
likes | films that scare the pants off me | like | strong | Horror
likes | movies that make me cry | like | strong | Drama
likes | laugh out loud movies | like | strong | Comedy
likes | gunslingers and saloons | like | strong | Western
likes | spaceships and robots | like | strong | Sci-Fi
likes | cop movies | like | strong | Crime
likes | heists and gangsters | like | strong | Crime
likes | pixar type stuff | like | strong | Animation
likes | films with singing and dancing | like | strong | Musical
likes | nature docs | like | strong | Documentary
likes | edge of my seat suspense | like | strong | Thriller
likes | dragons and wizards | like | strong | Fantasy
likes | love stories that make me swoon | like | strong | Romance
likes | whodunnits | like | strong | Mystery
likes | films about soldiers | like | strong | War
likes | cosy village sleuths | like | strong | Mystery
likes | books that make me laugh out loud | like | strong | Humor
likes | bedtime stories for toddlers | like | strong | Children
likes | life stories of famous people | like | strong | Biography
likes | books about the past | like | strong | History
likes | rhymes and verses | like | strong | Poetry
likes | books on becoming a better person | like | strong | Self-Help
likes | teen novels | like | strong | Young Adult
likes | true stories of real murders | like | strong | True Crime
likes | books about faraway places | like | strong | Travel
likes | cooking books with great pictures | like | strong | Cooking
likes | manga and comic books | like | strong | Graphic Novels
likes | smooth saxophone music | like | strong | Jazz
likes | rap | like | strong | Hip-Hop
likes | banjos and fiddles | like | strong | -
likes | orchestral music | like | strong | Classical
likes | edm | like | strong | Electronic
likes | headbanging music | like | strong | Metal
likes | chart toppers | like | strong | Pop
likes | guitar rock | like | strong | Rock
likes | bob marley vibes | like | strong | Reggae
likes | learning to program in python | like | strong | Programming
likes | courses on growing a small business | like | strong | Business
likes | learning spanish for my holidays | like | strong | Spanish
likes | getting better with my camera | like | strong | Photography
likes | understanding chords and scales | like | strong | Music Theory
likes | probability and statistics | like | strong | Statistics
likes | neural networks | like | strong | Machine Learning
likes | games we play together against the board | like | strong | Cooperative Games
likes | games for big groups at parties | like | strong | Party Games
likes | deck builders | like | strong | Card Games
likes | games where you find the traitor | like | strong | Deduction Games
likes | scrabble style games | like | strong | Word Games
likes | rolling lots of dice | like | strong | Dice Games
likes | long strategy games | like | strong | Strategy Games
likes | jazz and blues | like | strong | Jazz+Blues
likes | horror and thrillers | like | strong | Horror+Thriller
likes | rock & metal | like | strong | Rock+Metal
likes | biographies and history books | like | strong | Biography+History
likes | westerns, war films | like | strong | Western+War
likes | statistics and machine learning courses | like | strong | Statistics+Machine Learning
likes | card games and dice games | like | strong | Card Games+Dice Games
likes | folk and country | like | strong | Folk+Country
likes | love sci fi and fantasy | like | strong | Sci-Fi+Fantasy
avoids | musicals and westerns | avoid | strong | Musical+Western
avoids | romance or poetry | avoid | strong | Romance+Poetry
likes | no gore or jump scares please | avoid | strong | -
likes | rom coms and chick flicks | like | strong | -
likes | rock and roll | like | strong | Rock
likes | drum and bass | like | strong | Electronic
likes | a sprinkling of romance | like | mild | Romance
likes | the occasional western | like | mild | Western
likes | documentaries once in a while | like | mild | Documentary
likes | jazz now and again | like | mild | Jazz
likes | a little poetry | like | mild | Poetry
likes | sort of enjoy thrillers | like | medium | Thriller
likes | horror is alright | like | medium | Horror
likes | comedy is fine by me | like | medium | Comedy
likes | i can tolerate country | like | medium | Country
likes | crime, but no gore | like+avoid | strong | Crime
likes | fantasy, minus the romance | like+avoid | strong | Fantasy
likes | mysteries without the violence | like+avoid | strong | Mystery
likes | electronic music but nothing too fast | like+avoid | strong | Electronic
likes | programming courses but not javascript | like+avoid | strong | Programming
likes | strategy games, just not the four hour ones | like+avoid | strong | Strategy Games
likes | documentaries but not about war | like+avoid | strong | Documentary
likes | comedies, just less crude humour | like+avoid | strong | Comedy
likes | westerns except the spaghetti ones | like+avoid | strong | Western
likes | classical but no opera | like+avoid | strong | Classical
likes | no horror, but sci-fi is great | like+avoid | strong | Sci-Fi
avoids | slashers | avoid | strong | -
avoids | sad animal movies | avoid | strong | -
avoids | dubstep | avoid | strong | Electronic
avoids | the comedy section | avoid | strong | Comedy
avoids | poker nights | avoid | strong | -
avoids | anything scary | avoid | strong | Horror
avoids | cheesy love songs | avoid | strong | -
avoids | war | avoid | strong | War
"""
