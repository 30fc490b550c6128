"""A held-out phrase set NEVER used to tune the reading (written 6 December, helper h21).

Written in one go, before any change to ``profiles.phrasing``,
``profiles.parser`` or ``engine.concepts`` that it measures, and measured on
the code as it stood (its first figures are in docs/EVALUATION.md and in
tests/test_phrase_corpus.py). Do not add its lines, or phrases made to fit
its misses, to any phrase list or training set: it measures how the reading
does on phrasing nobody tuned for. When it has been looked at line by line,
say so and write a new one.

Same columns as tests/phrase_corpus.py: section | line | polarity | band |
label. Domains: films, books, music, courses, and kitchen and musical
instrument products (labels FRESH_CATEGORIES: the corpus's, plus product
categories as a shop names them). Lower case, typos, slang, negation,
intensity words and lines that turn.
"""

from tests.phrase_corpus import CATEGORIES

FRESH_CATEGORIES = [
    *CATEGORIES,
    *("Guitars", "Keyboards", "Drums", "Microphones", "Amplifiers", "Ukuleles"),
    *("Cookware", "Knives", "Bakeware", "Coffee Makers", "Blenders"),
]

FRESH = """
likes | honestly horror just isnt for me | avoid | strong | Horror
likes | i cant stand rom coms | avoid | strong | -
likes | musicals make me cringe so hard | avoid | strong | Musical
likes | please no more superhero stuff | avoid | strong | -
likes | keep westerns far away from me | avoid | strong | Western
likes | enough with the zombie apocalypse films | avoid | strong | -
likes | not a fan of documentaries tbh | avoid | strong | Documentary
likes | id skip anything animated | avoid | strong | Animation
likes | war movies are way too depressing | avoid | strong | War
likes | gore doesnt do it for me | avoid | strong | -
likes | never cared much for film noir | avoid | strong | Film-Noir
likes | not big on thrillers anymore | avoid | strong | Thriller
likes | I've gone off sci-fi | avoid | strong | Sci-Fi
likes | crime shows are kinda overdone for me | avoid | strong | Crime
likes | please dont recommend me horror | avoid | strong | Horror
likes | would rather not see any more musicals | avoid | strong | Musical
likes | comedies that try too hard, no | avoid | strong | -
likes | I really can't get behind fantasy | avoid | strong | Fantasy
likes | subtitled films are a chore | avoid | strong | -
likes | no kids movies | avoid | strong | Children
likes | adventure films just arent my vibe | avoid | strong | Adventure
likes | dramas bum me out | avoid | strong | Drama
likes | mystery is not really my genre | avoid | strong | Mystery
likes | romance novels? ugh | avoid | strong | Romance
likes | poetry leaves me totally cold | avoid | strong | Poetry
likes | self help books are a hard no | avoid | strong | Self-Help
likes | i dont read biographies | avoid | strong | Biography
likes | not into young adult stuff at all | avoid | strong | Young Adult
likes | travel writing never grabbed me | avoid | strong | Travel
likes | history books send me to sleep | avoid | strong | History
likes | true crime is too creepy for me | avoid | strong | True Crime
likes | graphic novels, not for me thanks | avoid | strong | Graphic Novels
likes | humour books never land for me | avoid | strong | Humor
likes | I'm not a reader of cookbooks | avoid | strong | Cooking
likes | jazz sounds like noise to me | avoid | strong | Jazz
likes | i'd pass on country | avoid | strong | Country
likes | can't stand metal | avoid | strong | Metal
likes | pop music is just not me | avoid | strong | Pop
likes | hip hop? not my scene | avoid | strong | Hip-Hop
likes | classical music puts me to sleep every time | avoid | strong | Classical
likes | punk is too angry for my taste | avoid | strong | Punk
likes | I've never liked reggae | avoid | strong | Reggae
likes | keep electronic music out of my playlists | avoid | strong | Electronic
likes | blues is a bit samey to me | avoid | strong | Blues
likes | folk music is so not my thing | avoid | strong | Folk
likes | rock music does nothing for me anymore | avoid | strong | Rock
likes | no sad songs please | avoid | strong | -
likes | i'm not taking any more marketing courses | avoid | strong | Marketing
likes | business classes are not for me | avoid | strong | Business
likes | statistics has never clicked for me | avoid | strong | Statistics
likes | skip the design courses | avoid | strong | Design
likes | no programming please | avoid | strong | Programming
likes | spanish lessons didn't work for me | avoid | strong | Spanish
likes | I'd rather not learn photography | avoid | strong | Photography
likes | machine learning hype is exhausting | avoid | strong | -
likes | data science bores me silly | avoid | strong | Data Science
likes | music theory goes over my head | avoid | strong | Music Theory
likes | no cast iron, too heavy | avoid | strong | -
likes | I don't need another blender | avoid | strong | Blenders
likes | knives are not something I shop for | avoid | strong | Knives
likes | coffee makers with pods, no way | avoid | strong | -
likes | not interested in bakeware | avoid | strong | Bakeware
likes | i'm done buying cookware | avoid | strong | Cookware
likes | no drums, the neighbours would kill me | avoid | strong | Drums
likes | don't show me keyboards | avoid | strong | Keyboards
likes | microphones are not what I'm after | avoid | strong | Microphones
likes | ukuleles annoy the heck out of me | avoid | strong | Ukuleles
likes | amps are overkill for me | avoid | strong | Amplifiers
likes | cheap plastic guitars, never again | avoid | strong | -
likes | less gore please | avoid | medium | -
likes | a bit less romance | avoid | medium | Romance
likes | fewer sequels | avoid | medium | -
likes | tone down the violence a little | avoid | medium | -
likes | not so much horror | avoid | medium | Horror
likes | cut back on the sad stuff | avoid | medium | -
likes | I love a good horror film | like | strong | Horror
likes | absolutely adore musicals | like | strong | Musical
likes | westerns all the way | like | strong | Western
likes | im really into documentaries | like | strong | Documentary
likes | big fan of anything animated | like | strong | Animation
likes | war films are my favourite | like | strong | War
likes | sci fi is my jam | like | strong | Sci-Fi
likes | i'm obsessed with thrillers lately | like | strong | Thriller
likes | fantasy, the longer the better | like | strong | Fantasy
likes | love a proper tearjerker drama | like | strong | Drama
likes | cant get enough comedy | like | strong | Comedy
likes | scary movies | like | strong | Horror
likes | funny films | like | strong | Comedy
likes | cowboy movies | like | strong | Western
likes | cartoons | like | strong | Animation
likes | whodunits | like | strong | Mystery
likes | detective novels | like | strong | Mystery
likes | films about space and aliens | like | strong | Sci-Fi
likes | books that make me laugh | like | strong | Humor
likes | bedtime stories for toddlers | like | strong | Children
likes | memoirs and life stories | like | strong | Biography
likes | murder mysteries | like | strong | Mystery
likes | learning to code | like | strong | Programming
likes | courses on photography | like | strong | Photography
likes | I want to get into data science | like | strong | Data Science
likes | keen to pick up some spanish | like | strong | Spanish
likes | eager to study music theory | like | strong | Music Theory
likes | marketing courses are really useful | like | strong | Marketing
likes | love business books | like | strong | Business
likes | i read a lot of poetry | like | strong | Poetry
likes | ya novels are my guilty pleasure | like | strong | Young Adult
likes | true crime podcasts all the way | like | strong | True Crime
likes | i'm a history nerd | like | strong | History
likes | i love travel books | like | strong | Travel
likes | totally hooked on graphic novels | like | strong | Graphic Novels
likes | jazz, jazz and more jazz | like | strong | Jazz
likes | i'm big into hip hop | like | strong | Hip-Hop
likes | country music is my happy place | like | strong | Country
likes | classical piano music | like | strong | -
likes | punk rock forever | like | strong | -
likes | reggae vibes | like | strong | Reggae
likes | electronic music for working out | like | strong | Electronic
likes | metal is life | like | strong | Metal
likes | pop songs I can sing along to | like | strong | Pop
likes | old school blues | like | strong | -
likes | singer songwriter folk | like | strong | -
likes | quality chef's knives | like | strong | Knives
likes | pots and pans | like | strong | Cookware
likes | a good blender for smoothies | like | strong | Blenders
likes | espresso machines | like | strong | -
likes | baking trays and cake tins | like | strong | Bakeware
likes | acoustic guitars | like | strong | -
likes | a decent microphone for podcasting | like | strong | Microphones
likes | i want a ukulele | like | strong | Ukuleles
likes | drum kits for beginners | like | strong | -
likes | digital pianos and keyboards | like | strong | Keyboards
likes | guitar amps | like | strong | Amplifiers
likes | a bit of horror now and then | like | mild | Horror
likes | the odd musical | like | mild | Musical
likes | romance once in a blue moon | like | mild | Romance
likes | westerns, occasionally | like | mild | Western
likes | some jazz here and there | like | mild | Jazz
likes | sometimes a bit of country | like | mild | Country
likes | poetry every once in a while | like | mild | Poetry
likes | a little bit of sci-fi | like | mild | Sci-Fi
likes | i kinda like documentaries | like | medium | Documentary
likes | sort of into metal | like | medium | Metal
likes | fantasy is ok i guess | like | medium | Fantasy
likes | comedies are fine | like | medium | Comedy
likes | horror, but not the gory kind | like+avoid | strong | Horror
likes | thrillers without too much violence | like+avoid | strong | Thriller
likes | comedies but no slapstick | like+avoid | strong | Comedy
likes | sci-fi, just no space battles | like+avoid | strong | Sci-Fi
likes | fantasy but not the epic doorstoppers | like+avoid | strong | Fantasy
likes | mysteries minus the gore | like+avoid | strong | Mystery
likes | jazz but not the free form stuff | like+avoid | strong | Jazz
likes | rock without the screaming | like+avoid | strong | Rock
likes | pop but less autotune | like+avoid | strong | Pop
likes | programming courses, but no boring lectures | like+avoid | strong | Programming
likes | history books but not military history | like+avoid | strong | History
likes | cookware without teflon | like+avoid | strong | Cookware
likes | guitars but not electric ones | like+avoid | strong | Guitars
likes | dramas, though nothing too bleak | like+avoid | strong | Drama
likes | animation but not the stuff for babies | like+avoid | strong | Animation
avoids | horror | avoid | strong | Horror
avoids | slow boring art films | avoid | strong | -
avoids | anything with spiders | avoid | strong | -
avoids | cheesy romance | avoid | strong | -
avoids | country music | avoid | strong | Country
avoids | self-help | avoid | strong | Self-Help
avoids | marketing courses | avoid | strong | Marketing
avoids | cheap knives | avoid | strong | -
avoids | stuff my parents would watch | avoid | strong | -
avoids | more superhero movies | avoid | strong | -
"""
