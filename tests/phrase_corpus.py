"""Lines as people type them about films, books, music and courses, with how each should be read.

Columns: section the line is typed under | the line | polarity (like, avoid,
or like+avoid for a line that turns) | strength band (strong, medium, mild;
for a line that turns, its like's band) | the catalog label it names, or -.

TUNING (with HELD_OUT_FIRST, a first held-out part measured once and then
tuned on) was read while the phrase lists of ``profiles.phrasing`` were
written and fixed. HELD_OUT was written in one go afterwards; its misses
were seen (not its lines added to any list) when the reading was made more
general in December. HELD_OUT_SECOND was written before that change and
first measured after it: its first figures are the unseen-phrasing ones.

Labels are those of CATEGORIES (film genres as MovieLens has them, book,
music and course categories as shops and course sites name theirs).
"""

CATEGORIES = [
    *("Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary"),
    *("Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance", "Sci-Fi"),
    *("Thriller", "War", "Western", "Biography", "Cooking", "History", "Poetry", "Self-Help"),
    *("Young Adult", "Humor", "Travel", "Graphic Novels", "True Crime", "Jazz", "Rock"),
    *("Hip-Hop", "Classical", "Country", "Electronic", "Folk", "Metal", "Pop", "Blues"),
    *("Reggae", "Punk", "Programming", "Data Science", "Machine Learning", "Design"),
    *("Business", "Photography", "Marketing", "Statistics", "Music Theory", "Spanish"),
]

TUNING = """
likes | steer clear of musicals | avoid | strong | Musical
likes | nothing gory | avoid | strong | -
likes | without gore | avoid | strong | -
likes | anything but romance | avoid | strong | Romance
likes | pass on reality TV | avoid | strong | -
likes | slasher films bore me | avoid | strong | -
likes | I'm done with zombie movies | avoid | strong | -
likes | true crime podcasts aren't for me | avoid | strong | True Crime
likes | rather not watch war films | avoid | strong | War
likes | zero jump scares | avoid | strong | -
likes | superhero movies, never again | avoid | strong | -
likes | big fan of film noir | like | strong | Film-Noir
likes | can't get enough of cozy mysteries | like | strong | -
likes | craving slow-burn thrillers | like | strong | -
likes | hooked on synthwave | like | strong | -
likes | a touch of romance | like | mild | Romance
likes | jazz sometimes | like | mild | Jazz
likes | above all, character-driven drama | like | strong | -
likes | occasionally a western | like | mild | Western
likes | space opera but less romance | like+avoid | strong | -
likes | heist films, but not the violent ones | like+avoid | strong | -
likes | fantasy without the endless battles | like+avoid | strong | Fantasy
likes | love stories | like | strong | -
likes | no-nonsense thrillers | like | strong | -
likes | nothing-happens literary fiction | like | strong | -
likes | I kind of like jazz | like | medium | Jazz
likes | less gore, more mystery | like+avoid | strong | Mystery
likes | no horror, but thrillers are fine | like+avoid | medium | Thriller
likes | I don't really like musicals | avoid | strong | Musical
likes | not a big fan of opera | avoid | strong | -
likes | nothing beats a good heist | like | strong | -
likes | Python courses for beginners | like | strong | -
likes | courses that are too theoretical leave me cold | avoid | strong | -
likes | anything with dragons | like | strong | -
likes | horror | like | strong | Horror
avoids | horror | avoid | strong | Horror
avoids | anything with zombies | avoid | strong | -
avoids | long war epics | avoid | strong | -
likes | I hate clowns | avoid | strong | -
likes | no more sequels | avoid | strong | -
likes | please, no musicals | avoid | strong | Musical
likes | not into country music | avoid | strong | Country
likes | country music isn't my thing | avoid | strong | Country
likes | I could do without the love triangles | avoid | strong | -
likes | romantic subplots annoy me | avoid | strong | -
likes | dark comedies | like | strong | -
likes | comedies | like | strong | Comedy
likes | I love comedies | like | strong | Comedy
likes | I really enjoy documentaries about nature | like | strong | -
likes | documentaries | like | strong | Documentary
likes | give me westerns | like | strong | Western
likes | more westerns please | like | strong | Western
likes | westerns, always | like | strong | Western
likes | always up for a good mystery | like | strong | Mystery
likes | I'm a sucker for a good mystery | like | strong | Mystery
likes | mystery novels | like | strong | Mystery
likes | I'm obsessed with true crime | like | strong | True Crime
likes | sci-fi movies | like | strong | Sci-Fi
likes | sci-fi never gets old | like | strong | Sci-Fi
likes | hip-hop is my jam | like | strong | Hip-Hop
likes | metal albums | like | strong | Metal
likes | metal is too loud for me | avoid | strong | Metal
likes | heavy metal bores me to tears | avoid | strong | -
likes | classical music, especially piano | like | strong | -
likes | a little classical music | like | mild | Classical
likes | some jazz | like | medium | Jazz
likes | somewhat into blues | like | medium | Blues
likes | blues now and then | like | mild | Blues
likes | punk rock, not so much | avoid | strong | -
likes | pop songs are overrated | avoid | strong | Pop
likes | no pop | avoid | strong | Pop
likes | keep the pop music away | avoid | strong | Pop
likes | electronic music for studying | like | strong | Electronic
likes | fed up with reggae | avoid | strong | Reggae
likes | folk music leaves me cold | avoid | strong | Folk
likes | I'm tired of sad folk songs | avoid | strong | -
likes | rock, above all | like | strong | Rock
likes | programming courses | like | strong | Programming
likes | I want to learn programming | like | strong | Programming
likes | machine learning classes | like | strong | Machine Learning
likes | data science courses with lots of projects | like | strong | -
likes | statistics courses are a slog for me | avoid | strong | Statistics
likes | please no statistics | avoid | strong | Statistics
likes | steer clear of marketing courses | avoid | strong | Marketing
likes | marketing bores me | avoid | strong | Marketing
likes | design courses, occasionally | like | mild | Design
likes | photography classes | like | strong | Photography
likes | I'd love more photography courses | like | strong | Photography
likes | Spanish lessons for beginners | like | strong | -
likes | not interested in business courses | avoid | strong | Business
likes | business books are not my cup of tea | avoid | strong | Business
likes | self-help books make me cringe | avoid | strong | Self-Help
likes | no self-help | avoid | strong | Self-Help
likes | poetry | like | strong | Poetry
likes | poetry in small doses | like | mild | Poetry
likes | I adore poetry | like | strong | Poetry
likes | biographies of scientists | like | strong | -
likes | biographies | like | strong | Biography
likes | history books | like | strong | History
likes | I'm all about history | like | strong | History
likes | cookbooks with simple recipes | like | strong | -
likes | cooking | like | strong | Cooking
likes | travel writing | like | strong | Travel
likes | travel books, sometimes | like | mild | Travel
likes | graphic novels | like | strong | Graphic Novels
likes | young adult fiction is not for me | avoid | strong | Young Adult
likes | no young adult | avoid | strong | Young Adult
likes | humor | like | strong | Humor
likes | funny books | like | strong | -
likes | dark fantasy without the grimdark violence | like+avoid | strong | -
likes | thrillers but not the gory ones | like+avoid | strong | Thriller
likes | mysteries, but no gore | like+avoid | strong | Mystery
likes | romance with less drama | like+avoid | strong | Romance
likes | sci-fi minus the space battles | like+avoid | strong | Sci-Fi
likes | jazz except free jazz | like+avoid | strong | Jazz
likes | animation, just not for kids | like+avoid | strong | Animation
likes | war films - no thanks | avoid | strong | War
likes | war films: hard pass | avoid | strong | War
likes | I can't stand musicals | avoid | strong | Musical
likes | keep away from horror | avoid | strong | Horror
likes | stay away from horror | avoid | strong | Horror
likes | I avoid horror | avoid | strong | Horror
likes | horror scares me | avoid | strong | Horror
likes | horror gives me nightmares | avoid | strong | Horror
likes | never horror | avoid | strong | Horror
likes | horror is a no-go | avoid | strong | Horror
likes | nothing too scary | avoid | strong | -
likes | less violence | avoid | medium | -
likes | fewer explosions | avoid | medium | -
likes | go easy on the violence | avoid | medium | -
likes | not too much romance | avoid | medium | Romance
likes | romance in moderation | like | mild | Romance
likes | spare me the romance | avoid | strong | Romance
likes | romance? nope | avoid | strong | Romance
likes | I'm over romance | avoid | strong | Romance
likes | romance is dead to me | avoid | strong | Romance
likes | I'm into crime dramas | like | strong | -
likes | crime | like | strong | Crime
likes | crime stories | like | strong | Crime
likes | action movies | like | strong | Action
likes | action films get on my nerves | avoid | strong | Action
likes | big dumb action movies are my guilty pleasure | like | strong | -
likes | adventure | like | strong | Adventure
likes | adventure films, from time to time | like | mild | Adventure
likes | children's films | like | strong | Children
likes | no children's films | avoid | strong | Children
likes | family films, rarely | like | mild | -
likes | fantasy | like | strong | Fantasy
likes | fantasy series that never end are a turn-off | avoid | strong | -
likes | epic fantasy | like | strong | -
likes | I'm looking for fantasy novels | like | strong | Fantasy
likes | mystery | like | strong | Mystery
likes | dramas | like | strong | Drama
likes | I don't want dramas | avoid | strong | Drama
likes | thrillers | like | strong | Thriller
likes | thrillers, a lot | like | strong | Thriller
likes | animated films | like | strong | Animation
likes | musicals are fine | like | medium | Musical
likes | musicals, once in a while | like | mild | Musical
"""

# Written as held-out and measured once, untouched (polarity 90.5%, label 76.2%
# of 42; three of its labels were annotation slips, fixed: "business books",
# "young adult series" and "jazz record" do name their category); then used
# for tuning like the rest. HELD_OUT below was written after all tuning.
HELD_OUT_FIRST = """
likes | I'd rather skip anything with vampires | avoid | strong | -
likes | gritty cop shows are a dealbreaker | avoid | strong | -
likes | westerns do nothing for me | avoid | strong | Western
likes | I've had enough of superhero sequels | avoid | strong | -
likes | not keen on musicals | avoid | strong | Musical
likes | documentaries put me to sleep | avoid | strong | Documentary
likes | hold the romance | avoid | strong | Romance
likes | zero interest in sports films | avoid | strong | -
likes | ditch the horror | avoid | strong | Horror
likes | war movies are too much for me | avoid | strong | War
likes | cheesy rom-coms make me yawn | avoid | strong | -
likes | count me out of slasher films | avoid | strong | -
likes | nothing with talking animals | avoid | strong | -
likes | I'm allergic to poetry | avoid | strong | Poetry
likes | jazz fusion irritates me | avoid | strong | -
likes | thanks but no thanks to country | avoid | strong | Country
likes | no reggae please | avoid | strong | Reggae
likes | I'm not a fan of electronic music | avoid | strong | Electronic
likes | metal isn't really for me | avoid | strong | Metal
likes | marketing courses are a waste of time | avoid | strong | Marketing
likes | lecture-heavy courses bore me | avoid | strong | -
likes | statistics classes? never again | avoid | strong | Statistics
likes | I can do without business books | avoid | strong | Business
likes | I never liked self-help | avoid | strong | Self-Help
likes | no more young adult series | avoid | strong | Young Adult
likes | I'm a huge fan of Westerns | like | strong | Western
likes | I devour mystery novels | like | strong | Mystery
likes | can never get enough of film noir | like | strong | Film-Noir
likes | really into true crime lately | like | strong | True Crime
likes | count me in for any heist movie | like | strong | -
likes | always keen on a good documentary | like | strong | Documentary
likes | bring on the musicals | like | strong | Musical
likes | I live for a clever thriller | like | strong | Thriller
likes | hip-hop, every single day | like | strong | Hip-Hop
likes | folk music on lazy Sundays | like | strong | Folk
likes | classical for focusing | like | strong | Classical
likes | a bit of blues | like | mild | Blues
likes | punk, now and again | like | mild | Punk
likes | the odd jazz record | like | mild | Jazz
likes | mostly rock | like | strong | Rock
likes | I enjoy programming courses that build real apps | like | strong | -
likes | data science, definitely | like | strong | Data Science
likes | photography courses every so often | like | mild | Photography
likes | a little machine learning | like | mild | Machine Learning
likes | I'm keen to learn Spanish | like | strong | Spanish
likes | cooking shows make me happy | like | strong | Cooking
likes | biographies, occasionally | like | mild | Biography
likes | graphic novels are my weakness | like | strong | Graphic Novels
likes | humor, sort of | like | medium | Humor
likes | I'm partial to travel books | like | strong | Travel
likes | crime novels but nothing too violent | like+avoid | strong | Crime
likes | comedies without crude jokes | like+avoid | strong | Comedy
likes | sci-fi, but less romance | like+avoid | strong | Sci-Fi
likes | fantasy, just not the grimdark kind | like+avoid | strong | Fantasy
likes | rock, but no heavy metal | like+avoid | strong | Rock
likes | history books minus the war focus | like+avoid | strong | History
likes | programming courses with fewer quizzes | like+avoid | strong | Programming
likes | dramas, not the depressing ones | like+avoid | strong | Drama
avoids | romance novels | avoid | strong | Romance
avoids | anything by Nicholas Sparks | avoid | strong | -
avoids | musicals | avoid | strong | Musical
avoids | more sequels | avoid | strong | -
likes | no country for old men style films | like | strong | -
"""


def rows(table: str) -> list[tuple[str, str, str, str, str]]:
    """(section, line, polarity, band, label) for each row of a table above."""
    found = []
    for row in filter(None, table.strip().splitlines()):
        section, line, polarity, band, label = (cell.strip() for cell in row.split(" | "))
        found.append((section, line, polarity, band, "" if label == "-" else label))
    return found


HELD_OUT = """
likes | honestly can't deal with jump-scare horror | avoid | strong | -
likes | please skip the musicals | avoid | strong | Musical
likes | not a huge documentary person | avoid | strong | -
likes | anything but country | avoid | strong | Country
likes | I'm so over zombie flicks | avoid | strong | -
likes | slow westerns drive me nuts | avoid | strong | -
likes | war films are just too grim for me | avoid | strong | War
likes | no sad endings | avoid | strong | -
likes | torture scenes are a hard no | avoid | strong | -
likes | I'd pass on romance novels | avoid | strong | Romance
likes | don't show me horror | avoid | strong | Horror
likes | never been into opera | avoid | strong | -
likes | I really don't get poetry | avoid | strong | Poetry
likes | reggae does nothing for me | avoid | strong | Reggae
likes | techno is not my scene | avoid | strong | -
likes | I skip anything with autotune | avoid | strong | -
likes | please, no more pop ballads | avoid | strong | -
likes | hate the business jargon courses | avoid | strong | -
likes | statistics? no thank you | avoid | strong | Statistics
likes | steer clear of marketing fluff | avoid | strong | -
likes | nothing preachy | avoid | strong | -
likes | self-help, not for me | avoid | strong | Self-Help
likes | less melodrama | avoid | medium | -
likes | fewer cliffhangers please | avoid | medium | -
likes | cut down on the gore | avoid | medium | -
likes | huge fan of animated films | like | strong | Animation
likes | I adore a clever whodunit | like | strong | Mystery
likes | can't get enough westerns | like | strong | Western
likes | totally hooked on film noir | like | strong | Film-Noir
likes | mysteries are my comfort food | like | strong | Mystery
likes | true crime, all day long | like | strong | True Crime
likes | love a good thriller | like | strong | Thriller
likes | fantasy epics never get old | like | strong | -
likes | I'm crazy about jazz | like | strong | Jazz
likes | blues records | like | strong | Blues
likes | I listen to a lot of classical music | like | strong | Classical
likes | metal, especially doom | like | strong | -
likes | occasionally some folk | like | mild | Folk
likes | a little bit of electronic music | like | mild | Electronic
likes | hip hop from time to time | like | mild | Hip-Hop
likes | kind of into punk | like | medium | Punk
likes | programming courses, the more hands-on the better | like | strong | Programming
likes | I'm eager to learn machine learning | like | strong | Machine Learning
likes | design classes sometimes | like | mild | Design
likes | photography workshops | like | strong | Photography
likes | Spanish, now and then | like | mild | Spanish
likes | history, definitely history | like | strong | History
likes | biographies of musicians | like | strong | -
likes | poetry collections | like | strong | Poetry
likes | I'm a sucker for travel stories | like | strong | Travel
likes | cookbooks | like | strong | Cooking
likes | give me graphic novels | like | strong | Graphic Novels
likes | some humor | like | medium | Humor
likes | young adult fantasy | like | strong | -
likes | comedies but nothing too silly | like+avoid | strong | Comedy
likes | horror without the gore | like+avoid | strong | Horror
likes | thrillers, minus the torture scenes | like+avoid | strong | Thriller
likes | classical music but less opera | like+avoid | strong | Classical
likes | documentaries, though not the true crime ones | like+avoid | strong | Documentary
likes | pop but no autotune | like+avoid | strong | Pop
likes | data science courses without heavy math | like+avoid | strong | Data Science
likes | less violence, more character | like+avoid | strong | -
avoids | horror movies | avoid | strong | Horror
avoids | gore | avoid | strong | -
avoids | I love a good jump scare but not here | avoid | strong | -
avoids | reality shows | avoid | strong | -
avoids | more of the same | avoid | strong | -
"""

# Written in one go on 6 December (helper h16) before any change it measures
# and never used to change the reading: films, books, music, courses, and
# podcasts, recipes and games, domains the parts above never used. Its
# figures, first run, are in docs/EVALUATION.md.
HELD_OUT_SECOND = """
likes | not feeling musicals these days | avoid | strong | Musical
likes | I'll skip the horror, thanks | avoid | strong | Horror
likes | zombie stuff grosses me out | avoid | strong | -
likes | keep romcoms out of my feed | avoid | strong | -
likes | had my fill of superhero films | avoid | strong | -
likes | war documentaries are too heavy for me | avoid | strong | -
likes | no thanks on westerns | avoid | strong | Western
likes | animated films for little kids aren't my thing | avoid | strong | -
likes | I find poetry pretentious | avoid | strong | Poetry
likes | self-help is a big no for me | avoid | strong | Self-Help
likes | fantasy doorstoppers wear me out | avoid | strong | -
likes | I've never warmed to sci-fi | avoid | strong | Sci-Fi
likes | country music makes me want to leave the room | avoid | strong | Country
likes | heavy metal is just noise to me | avoid | strong | -
likes | can't get into jazz | avoid | strong | Jazz
likes | rap isn't really my style | avoid | strong | Hip-Hop
likes | marketing webinars, no thanks | avoid | strong | Marketing
likes | please don't suggest business courses | avoid | strong | Business
likes | statistics courses make my head spin | avoid | strong | Statistics
likes | I'd rather not do another beginner Python course | avoid | strong | -
likes | true crime podcasts give me the creeps | avoid | strong | True Crime
likes | political podcasts wind me up | avoid | strong | -
likes | no more cooking podcasts | avoid | strong | Cooking
likes | recipes with lots of meat are off the table | avoid | strong | -
likes | I'm not into shooter games | avoid | strong | -
likes | horror games are way too stressful for me | avoid | strong | Horror
likes | a little less melodrama please | avoid | medium | -
likes | tone down the swearing | avoid | medium | -
likes | fewer love songs | avoid | medium | -
likes | hard pass on slashers | avoid | strong | -
likes | anything but reality TV | avoid | strong | -
likes | I could happily never see another musical | avoid | strong | Musical
likes | absolutely love film noir | like | strong | Film-Noir
likes | anything Studio Ghibli | like | strong | -
likes | I'm a big documentary buff | like | strong | Documentary
likes | westerns are my favourite genre | like | strong | Western
likes | I binge sitcoms | like | strong | Comedy
likes | scary movies, the scarier the better | like | strong | Horror
likes | feel-good romances | like | strong | -
likes | I'm always in the mood for a cosy mystery | like | strong | -
likes | I read crime novels on every holiday | like | strong | Crime
likes | memoirs by chefs | like | strong | -
likes | biographies are my go-to | like | strong | Biography
likes | historical fiction | like | strong | -
likes | I'm really into graphic novels right now | like | strong | Graphic Novels
likes | travel memoirs, now and then | like | mild | -
likes | blues guitar | like | strong | -
likes | reggae on summer evenings | like | strong | Reggae
likes | a bit of country from time to time | like | mild | Country
likes | I could listen to classical all day | like | strong | Classical
likes | electronic, mostly ambient | like | strong | -
likes | I'm getting into folk | like | strong | Folk
likes | punk is my first love | like | strong | Punk
likes | intro to machine learning | like | strong | Machine Learning
likes | I want to get better at photography | like | strong | Photography
likes | design courses with real client briefs | like | strong | -
likes | brushing up my Spanish | like | strong | Spanish
likes | data science bootcamps | like | strong | Data Science
likes | weekly comedy podcasts | like | strong | -
likes | history podcasts are my commute staple | like | strong | History
likes | easy weeknight recipes | like | strong | -
likes | baking books | like | strong | Cooking
likes | co-op board games | like | strong | -
likes | story-rich adventure games | like | strong | -
likes | adventure games | like | strong | Adventure
likes | puzzle games, occasionally | like | mild | -
likes | mysteries now and then | like | mild | Mystery
likes | kind of like thrillers | like | medium | Thriller
likes | somewhat into documentaries | like | medium | Documentary
likes | war stories, though not the gory ones | like+avoid | strong | War
likes | romance but nothing too steamy | like+avoid | strong | Romance
likes | sci-fi novels without the info dumps | like+avoid | strong | Sci-Fi
likes | metal, just not the screaming kind | like+avoid | strong | Metal
likes | cooking shows minus the competition | like+avoid | strong | Cooking
likes | action films but less shaky cam | like+avoid | strong | Action
likes | documentaries, but no true crime | like+avoid | strong | Documentary
likes | podcasts about science, not politics | like+avoid | strong | -
avoids | westerns | avoid | strong | Western
avoids | anything with clowns | avoid | strong | -
avoids | sad piano music | avoid | strong | -
avoids | poetry readings | avoid | strong | Poetry
avoids | reality competitions | avoid | strong | -
avoids | tired of zombie films | avoid | strong | -
"""
