"""`ner`: names, places, organisations and dates in English sentences (synthetic data).

The data is synthetic: English sentence templates in families (travel, hiring, meetings,
sport, ...) filled with names, places and companies drawn from the Faker package in several
locales, a list of well-known places and organisations, and dates written many ways. Every
token gets one of the labels PER (a person), LOC (a place), ORG (an organisation), DATE (a
calendar expression: a date, month, weekday, year, decade, or a relative day such as "yesterday"
or "next week") or O; the tags follow the project's own word tokens (core.text). Whole template
families are held out: `test_templates` holds sentences of families never seen in training.
"""
from __future__ import annotations

import random
import re

from ..text import normalize, tokenize

KIND = "tagger"
LABELS = ["O", "PER", "LOC", "ORG", "DATE"]
SOURCE = {"data": "synthetic: English sentences generated from templates in families, filled with Faker names, "
                  "places and companies (locales en_US, en_GB, de_DE, fr_FR, tr_TR, es_ES, it_IT), well-known places "
                  "and organisations, and dates in many forms (core/tasks/ner.py)",
          "licence": "generated data; Faker is MIT-licensed"}
DEFAULT_SIZES = {"train": 30000, "valid": 1500, "test": 3000, "test_templates": 3000}
LOCALES = ("en_US", "en_GB", "de_DE", "fr_FR", "tr_TR", "es_ES", "it_IT")
# Faker's it_IT city() draws from a set, so its order changes with Python's hash seed from one
# process to the next; the splits must be the same in every process (the held-out test set).
NONDETERMINISTIC_CITIES = ("it_IT",)
EXAMPLES = ["Angela Merkel met Emmanuel Macron in Paris on 3 May 2019.",
            "Ada Lovelace worked with Charles Babbage in London in the 1840s.",
            "Mustafa Kemal founded the Turkish Republic in Ankara on 29 October 1923.",
            "Siemens opened a new factory in Istanbul last year.",
            "Dr. Sarah Connor will join Cyberdyne Systems next Monday.",
            "The United Nations held a summit in Geneva in March 2024.",
            "I flew from Berlin to Tokyo with Lufthansa on Friday.",
            "Maria Garcia from Madrid now works for Google in Zurich."]

# {PER} {LOC} {ORG} {DATE}: entity slots; everything else is O.
FAMILIES: dict[str, list[str]] = {
    "travel": ["{PER} flew from {LOC} to {LOC} on {DATE}.", "{PER} is travelling to {LOC} next week.",
               "We arrived in {LOC} on {DATE} after a long drive.", "{PER} spent {DATE} in {LOC} with friends.",
               "My flight to {LOC} leaves on {DATE}.", "After {LOC}, {PER} took the train to {LOC}."],
    "hiring": ["{ORG} hired {PER} as its new chief engineer.", "{PER} joined {ORG} in {DATE}.",
               "{PER} will start at {ORG} on {DATE}.", "{ORG} announced that {PER} is leaving the company.",
               "{PER} left {ORG} to work for {ORG}.", "On {DATE}, {ORG} appointed {PER} as director."],
    "meeting": ["{PER} met {PER} in {LOC} on {DATE}.", "The meeting with {PER} is on {DATE}.",
                "{PER} and {PER} will meet at the {ORG} office in {LOC}.", "Let us meet {PER} in {LOC} on {DATE}.",
                "{PER} has a call with {ORG} on {DATE}.", "{PER} cancelled the meeting planned for {DATE}."],
    "company_news": ["{ORG} opened a new office in {LOC}.", "{ORG} reported record profits in {DATE}.",
                     "Shares of {ORG} fell sharply on {DATE}.", "{ORG} moved its headquarters to {LOC} in {DATE}.",
                     "{ORG} and {ORG} agreed to merge.", "{ORG} plans to build a factory near {LOC}."],
    "birth": ["{PER} was born in {LOC} on {DATE}.", "{PER} was born on {DATE}.",
              "Born in {LOC} in {DATE}, {PER} became a famous painter.", "{PER} grew up in {LOC}.",
              "{PER} celebrates a birthday on {DATE}.", "The twins were born in {LOC} in {DATE}."],
    "sport": ["{PER} scored twice for {ORG} on {DATE}.", "{ORG} beat {ORG} in {LOC} on {DATE}.",
              "{PER} won the marathon in {LOC}.", "The final will be played in {LOC} on {DATE}.",
              "{PER} signed a contract with {ORG} until {DATE}.", "{PER} broke the record in {LOC} in {DATE}."],
    "weather": ["It rained all day in {LOC} on {DATE}.", "A storm hit {LOC} on {DATE}.",
                "Snow is expected in {LOC} on {DATE}.", "{LOC} had its hottest day on {DATE}.",
                "The sun finally came out in {LOC}.", "Floods closed the roads around {LOC} in {DATE}."],
    "email": ["Dear {PER}, thank you for your message of {DATE}.", "Hi {PER}, are you free on {DATE}?",
              "Please send the report to {PER} before {DATE}.", "{PER} wrote to {ORG} about the invoice.",
              "Best regards, {PER}", "Could you forward this to {PER} at {ORG}?"],
    "education": ["{PER} studied physics at {ORG}.", "{PER} graduated from {ORG} in {DATE}.",
                  "{ORG} in {LOC} offers a course on machine learning.", "{PER} teaches history at {ORG}.",
                  "The semester at {ORG} starts on {DATE}.", "{PER} moved to {LOC} to study at {ORG}."],
    "politics": ["{PER} was elected mayor of {LOC} in {DATE}.", "The minister {PER} visited {LOC} on {DATE}.",
                 "{PER} met the president of {LOC}.", "Elections in {LOC} will be held on {DATE}.",
                 "{PER} gave a speech in {LOC} on {DATE}.", "{ORG} criticised the government of {LOC}."],
    "science": ["{PER} published the paper with {PER} in {DATE}.", "Researchers at {ORG} discovered a new protein.",
                "{PER} presented the results in {LOC} on {DATE}.", "{ORG} launched a satellite on {DATE}.",
                "The lab of {PER} at {ORG} studies bees.", "{PER} won a prize for work done at {ORG}."],
    "shopping": ["I bought this phone from {ORG} on {DATE}.", "{ORG} delivered the parcel to {PER} in {LOC}.",
                 "{PER} ordered a new laptop from {ORG}.", "The sale at {ORG} ends on {DATE}.",
                 "{ORG} opened a store in {LOC} on {DATE}.", "{PER} returned the shoes to {ORG}."],
    "family": ["{PER} visited her grandmother in {LOC}.", "{PER} and {PER} got married on {DATE}.",
               "My brother {PER} lives in {LOC}.", "{PER} called his mother on {DATE}.",
               "The whole family met in {LOC} for {DATE}.", "{PER} named her daughter after {PER}."],
    "health": ["{PER} had surgery at {ORG} on {DATE}.", "Doctors at {ORG} in {LOC} treated the patient.",
               "{PER} has an appointment with Dr. {PER} on {DATE}.", "{ORG} opened a clinic in {LOC}.",
               "{PER} recovered and went home on {DATE}.", "The vaccine from {ORG} arrived in {LOC} in {DATE}."],
    "music": ["{PER} played a concert in {LOC} on {DATE}.", "{PER} signed with {ORG} in {DATE}.",
              "The new album by {PER} comes out on {DATE}.", "{PER} sang with {PER} in {LOC}.",
              "{ORG} will stream the festival in {LOC}.", "Tickets for {PER} in {LOC} sold out."],
    "crime": ["Police in {LOC} arrested {PER} on {DATE}.", "{PER} was fined by {ORG}.",
              "A bank in {LOC} was robbed on {DATE}.", "{PER} testified in court in {LOC}.",
              "{ORG} reported the theft on {DATE}.", "Investigators questioned {PER} about {ORG}."],
    "transport": ["The train from {LOC} to {LOC} was late on {DATE}.", "{ORG} cancelled all flights to {LOC}.",
                  "{PER} drives to {LOC} every morning.", "The new bridge in {LOC} opens on {DATE}.",
                  "{ORG} bought forty buses for {LOC}.", "{PER} missed the ferry to {LOC}."],
    "books": ["{PER} wrote the novel in {LOC} in {DATE}.", "{ORG} published the book on {DATE}.",
              "The biography of {PER} was written by {PER}.", "{PER} read from her book in {LOC}.",
              "{ORG} sold the rights to {ORG}.", "A new edition appeared in {DATE}."],
    "food": ["We had dinner with {PER} in {LOC}.", "{PER} opened a restaurant in {LOC} in {DATE}.",
             "{ORG} recalled its cheese on {DATE}.", "The best pizza in {LOC} is made by {PER}.",
             "{PER} cooked for the guests on {DATE}.", "{ORG} supplies bread to shops in {LOC}."],
    "technology": ["{ORG} released a new phone on {DATE}.", "{PER} founded {ORG} in {LOC} in {DATE}.",
                   "{ORG} bought the startup of {PER}.", "Engineers at {ORG} in {LOC} fixed the bug.",
                   "{PER} leads the cloud team at {ORG}.", "{ORG} will shut down the service on {DATE}."],
    "history": ["{PER} ruled {LOC} until {DATE}.", "The war ended in {LOC} in {DATE}.",
                "{PER} signed the treaty in {LOC}.", "In {DATE}, {PER} crossed the river near {LOC}.",
                "{LOC} became independent on {DATE}.", "{PER} founded the city of {LOC}."],
    "real_estate": ["{PER} sold the house in {LOC} on {DATE}.", "{ORG} is building flats in {LOC}.",
                    "{PER} rents an apartment in {LOC}.", "Prices in {LOC} rose again in {DATE}.",
                    "{ORG} bought the old factory in {LOC}.", "{PER} moved out on {DATE}."],
    "plain": ["The {thing} was {adj} and we stayed at home.", "Please close the {thing} when you leave.",
              "Nobody knew what to say about the {thing}.", "The cat slept on the {thing} all afternoon.",
              "We need a {adj} {thing} and some bread.", "This is the most {adj} {thing} of the week.",
              "May I ask you about the {thing}?", "Will you help me with this {adj} box?",
              "Mark the {thing} as {adj}.", "Apple pie is {adj} with cream."],
    "lowercase": ["{per} met {per} in {loc} on {date}.", "{per} lives in {loc} and works for {org}.",
                  "{org} hired {per} on {date}.", "send it to {per} in {loc} before {date}."],
    "announcement": ["{ORG} is pleased to announce that {PER} has been promoted.", "Starting {DATE}, {ORG} will "
                     "be closed on Sundays.", "{PER} will give a talk at {ORG} in {LOC} on {DATE}.",
                     "Join {PER} and {PER} in {LOC} on {DATE}.", "{ORG} welcomes {PER} to the board.",
                     "The office in {LOC} will reopen on {DATE}."],
    "review": ["I stayed at a hotel in {LOC} run by {ORG}.", "{PER} recommended this place in {LOC}.",
               "The guide, {PER}, showed us around {LOC} on {DATE}.", "Our trip to {LOC} with {ORG} was great.",
               "We booked the tour with {ORG} for {DATE}.", "{PER} from {LOC} left a review."],
}
HELD_OUT_FAMILIES = ("science", "music", "history", "review", "crime")

FAMOUS_PLACES = ["Paris", "London", "Istanbul", "Berlin", "Tokyo", "New York", "Ankara", "Rome", "Madrid", "Zurich",
                 "Geneva", "Vienna", "Cairo", "Lagos", "Sydney", "Toronto", "Chicago", "Mumbai", "Beijing", "Seoul",
                 "Germany", "France", "Turkey", "Japan", "Brazil", "Canada", "India", "Kenya", "Spain", "Italy",
                 "the United States", "the United Kingdom", "Europe", "Asia", "Africa", "California", "Texas",
                 "Bavaria", "Anatolia", "Lake Geneva", "the Alps", "Mexico City", "Buenos Aires", "Hong Kong"]
FAMOUS_ORGS = ["Google", "Siemens", "the United Nations", "Microsoft", "Lufthansa", "Turkish Airlines", "UNESCO",
               "the European Union", "NASA", "Volkswagen", "Apple", "Amazon", "the World Bank", "Oxford University",
               "MIT", "Istanbul Technical University", "the Red Cross", "Deutsche Bank", "Airbus", "Netflix",
               "the BBC", "Reuters", "Real Madrid", "FC Barcelona", "Galatasaray", "Bayern Munich", "IBM", "Nokia"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
RELATIVE = ["yesterday", "today", "tomorrow", "next week", "last week", "next month", "last year", "next year",
            "this morning", "last night", "next Monday", "last Friday", "this weekend"]
TITLES = ["Dr.", "Mr.", "Ms.", "Mrs.", "Prof.", "Sir", "Dr"]
THINGS = ["door", "window", "report", "kettle", "garden", "letter", "sofa", "bicycle", "lamp", "printer", "meeting",
          "soup", "movie", "question", "ticket", "invoice", "plan", "river", "road", "song", "coffee", "parcel"]
ADJECTIVES = ["nice", "broken", "heavy", "quiet", "strange", "late", "cheap", "old", "new", "useful", "red",
              "boring", "wonderful", "important", "small", "green", "cold", "warm", "urgent", "simple"]
O_WORDS = {"thing": THINGS, "adj": ADJECTIVES}  # slots filled with ordinary words (label O)


class _Pools:
    """Names, places and companies drawn once per build from Faker (seeded)."""

    def __init__(self, seed: int, size: int = 1500):
        from faker import Faker

        self.first, self.last, self.cities, self.companies = [], [], [], []
        for k, locale in enumerate(LOCALES):
            fake = Faker(locale)
            fake.seed_instance(seed * 100 + k)
            self.first += [fake.first_name() for _ in range(size)]
            self.last += [fake.last_name() for _ in range(size)]
            if locale not in NONDETERMINISTIC_CITIES:
                self.cities += [fake.city() for _ in range(size // 3)]
            self.companies += [fake.company() for _ in range(size // 3)]
        english = Faker("en_US")
        english.seed_instance(seed)
        self.countries = [english.country() for _ in range(400)]
        self.states = [english.state() for _ in range(200)]


def _person(rng: random.Random, pools: _Pools) -> str:
    first, last = rng.choice(pools.first), rng.choice(pools.last)
    form = rng.random()
    if form < 0.55:
        return f"{first} {last}"
    if form < 0.7:
        return f"{rng.choice(TITLES)} {last}"
    if form < 0.82:
        return first
    if form < 0.92:
        return f"{rng.choice(TITLES)} {first} {last}"
    return f"{first} {rng.choice(pools.first)} {last}"


def _place(rng: random.Random, pools: _Pools) -> str:
    form = rng.random()
    if form < 0.4:
        return rng.choice(pools.cities)
    if form < 0.7:
        return rng.choice(FAMOUS_PLACES)
    if form < 0.88:
        return rng.choice(pools.countries)
    return rng.choice(pools.states)


def _organisation(rng: random.Random, pools: _Pools) -> str:
    return rng.choice(pools.companies) if rng.random() < 0.6 else rng.choice(FAMOUS_ORGS)


def _date(rng: random.Random) -> str:
    day, month, year = rng.randint(1, 28), rng.randrange(12), rng.randint(1900, 2030)
    forms = [f"{day} {MONTHS[month]} {year}", f"{MONTHS[month]} {day}, {year}", f"{year}-{month + 1:02d}-{day:02d}",
             f"{MONTHS[month]} {year}", MONTHS[month], str(year), f"the {year // 10 * 10}s", rng.choice(WEEKDAYS),
             rng.choice(RELATIVE), f"{day}/{month + 1}/{year}", f"{WEEKDAYS[day % 7]}, {day} {MONTHS[month]}",
             f"the {day}th of {MONTHS[month]}", f"early {year}", f"{MONTHS[month][:3]} {day}"]
    return rng.choice(forms)


_SLOT = re.compile(r"\{(PER|LOC|ORG|DATE|per|loc|org|date|thing|adj)\}")


def _tokens(text: str) -> list[str]:
    return tokenize(normalize(text, lowercase=False), "word")


def fill(template: str, rng: random.Random, pools: _Pools) -> tuple[str, list[str]] | None:
    """One sentence from a template and its tags; None if the pieces would not tokenise the same
    way apart as together (the tags must follow the tokens of the whole sentence)."""
    pieces: list[tuple[str, str]] = []
    position = 0
    for match in _SLOT.finditer(template):
        pieces.append((template[position : match.start()], "O"))
        slot = match.group(1)
        if slot in O_WORDS:
            pieces.append((rng.choice(O_WORDS[slot]), "O"))
            position = match.end()
            continue
        label = slot.upper()
        value = {"PER": _person, "LOC": _place, "ORG": _organisation}.get(label, lambda r, p: _date(r))(rng, pools)
        if slot.islower():
            value = value.lower()
        pieces.append((value, label))
        position = match.end()
    pieces.append((template[position:], "O"))
    text = "".join(piece for piece, _ in pieces)
    if text and rng.random() < 0.03:
        text = text.lower()  # people do not always capitalise
        pieces = [(piece.lower(), label) for piece, label in pieces]
    tags: list[str] = []
    for piece, label in pieces:
        tags += [label] * len(_tokens(piece))
    if _tokens(text) != [t for piece, _ in pieces for t in _tokens(piece)]:
        return None
    return normalize(text, lowercase=False), tags


def build_splits(seed: int = 0, sizes: dict[str, int] | None = None) -> dict[str, list[tuple[str, list[str]]]]:
    """{"train", "valid", "test", "test_templates"}: lists of (text, tags). The first three come
    from the families in training; test_templates only from HELD_OUT_FAMILIES. No text is in two
    splits."""
    sizes = {**DEFAULT_SIZES, **(sizes or {})}
    rng = random.Random(seed)
    pools = _Pools(seed)
    seen: set[str] = set()
    known = [t for family, templates in FAMILIES.items() if family not in HELD_OUT_FAMILIES for t in templates]
    held = [t for family in HELD_OUT_FAMILIES for t in FAMILIES[family]]

    def draw(templates: list[str], count: int) -> list[tuple[str, list[str]]]:
        out: list[tuple[str, list[str]]] = []
        attempts = 0
        while len(out) < count and attempts < count * 20:
            attempts += 1
            sample = fill(rng.choice(templates), rng, pools)
            if sample is None or sample[0] in seen:
                continue
            seen.add(sample[0])
            out.append(sample)
        return out

    splits = {"test_templates": draw(held, sizes["test_templates"]), "test": draw(known, sizes["test"]),
              "valid": draw(known, sizes["valid"])}
    splits["train"] = draw(known, sizes["train"])
    return {name: splits[name] for name in ("train", "valid", "test", "test_templates")}
