"""The en-de data: the extracted TSV, the extraction rules (on hand-written Ding lines, so the Debian
package is not needed) and the held-out splits."""
import importlib.util
from collections import Counter
from pathlib import Path

import pytest

from core.tasks import ende, get_task
from core.text import normalize, tokenize

ROOT = Path(__file__).resolve().parent.parent
TSV = ROOT / "data" / "en-de" / "pairs.tsv"


def _load_script():
    spec = importlib.util.spec_from_file_location("fetch_ende", ROOT / "scripts" / "fetch_ende.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


fetch_ende = _load_script()

SAMPLE = """\
# Version :: test 2023-01-30
# Copyright (c) :: Frank Richter <frank.richter.tu-chemnitz.de>,
# 1995 - 2023
# License :: GPL Version 2 or later; GNU General Public License
Haus {n} | Das Haus ist sehr alt. [ugs.] | Wir haben ein neues Haus gekauft.; Wir kauften ein neues Haus. :: house | The house is very old. [coll.] | We have bought a new house.; We bought a new house.
Es regnet in Strömen.; Es gießt wie aus Kübeln. [ugs.] :: It’s raining cats and dogs. [coll.]
Ich habe (gerade) keine Zeit. :: I (just) don’t have time.
Das wundert mich (nicht). :: I’m (not) surprised.
Sie hob ihren Rock (an). :: She lifted her skirt.
Sie hat jung/spät geheiratet. :: She married young/late.
Er gab jdm. das Buch. :: He gave sb. the book.
Ach so! :: I see!
Oh mein Gott! <Gott> {interj} :: Oh my god! /OMG/
das A und O [ugs.] :: the nuts and bolts [coll.]
Möchten Sie einen Kaffee? :: Would you like some coffee? Would you care for some coffee?
She chafed under the unfair treatment. :: Sie litt unter der ungerechten Behandlung.
Das geht in Ordnung. :: That is fine.
Das geht in Ordnung. :: That is fine.
Das ist in Ordnung. :: That is fine.
Das passt schon so. :: That is fine.
Eins | Zwei :: One apple is here.
Wir sind am 5. Mai in Berlin angekommen. :: We arrived in Berlin on 5 May.
Ich sage es dir jetzt zum allerletzten Mal, und dann ist Schluss. :: I am telling you this now for the very last time and then that is the end of it.
"""

EXPECTED = [
    ("I don't have time.", "Ich habe keine Zeit."),
    ("It's raining cats and dogs.", "Es regnet in Strömen."),
    ("Oh my god!", "Oh mein Gott!"),
    ("She chafed under the unfair treatment.", "Sie litt unter der ungerechten Behandlung."),
    ("That is fine.", "Das geht in Ordnung."),
    ("That is fine.", "Das ist in Ordnung."),
    ("The house is very old.", "Das Haus ist sehr alt."),
    ("We arrived in Berlin on 5 May.", "Wir sind am 5. Mai in Berlin angekommen."),
    ("We bought a new house.", "Wir kauften ein neues Haus."),
    ("We have bought a new house.", "Wir haben ein neues Haus gekauft."),
]


def test_extraction_rules_on_sample_lines():
    assert fetch_ende.extract_pairs(SAMPLE.splitlines(keepends=True)) == EXPECTED


def test_header_and_script_output(tmp_path):
    source = tmp_path / "de-en"
    source.write_text(SAMPLE, encoding="utf-8")
    header = fetch_ende.parse_header(SAMPLE.splitlines())
    assert header["Copyright (c)"] == "Frank Richter <frank.richter.tu-chemnitz.de>, 1995 - 2023"
    out = tmp_path / "en-de" / "pairs.tsv"
    assert fetch_ende.main(["--source", str(source), "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == "".join(f"{en}\t{de}\n" for en, de in EXPECTED)
    licence = (out.parent / "LICENSE.md").read_text(encoding="utf-8")
    assert "Frank Richter <frank.richter.tu-chemnitz.de>, 1995 - 2023" in licence
    assert "GPL-2.0-or-later" in licence and "extract" in licence and "trans-de-en" in licence


def test_script_without_source_says_how_to_get_it(tmp_path, capsys):
    assert fetch_ende.main(["--source", str(tmp_path / "missing"), "--out", str(tmp_path / "x.tsv")]) != 0
    assert "apt-get install trans-de-en" in capsys.readouterr().err
    assert not (tmp_path / "x.tsv").exists()


@pytest.fixture(scope="module")
def pairs():
    assert TSV.is_file(), f"{TSV} missing: run apt-get install trans-de-en && python scripts/fetch_ende.py"
    return ende.load_pairs()


def test_tsv_exists_is_big_enough_and_clean(pairs):
    assert len(pairs) >= 10_000
    assert TSV.stat().st_size < 2_000_000
    assert (ROOT / "data" / "en-de" / "LICENSE.md").is_file()
    assert pairs == sorted(set(pairs))  # sorted, no duplicate pairs
    for en, de in pairs:
        for text in (en, de):
            assert not any(mark in text for mark in ("{", "}", "[", "]", " | ", "::", "\t")), text
            assert text == normalize(text, lowercase=False), text
        assert 3 <= len(en.split()) <= 15 and 3 <= len(de.split()) <= 18, (en, de)
        assert en[-1] in ".!?\"'“»" and de[-1] in ".!?\"'“»", (en, de)
    assert max(Counter(en for en, _ in pairs).values()) <= 2


def test_tsv_header_licence_and_source():
    licence = (ROOT / "data" / "en-de" / "LICENSE.md").read_text(encoding="utf-8")
    assert "Frank Richter" in licence and "GPL-2.0-or-later" in licence
    assert get_task("en-de") is ende and "GPL-2.0-or-later" in ende.SOURCE["licence"]


def test_splits_are_disjoint_by_english_sentence(pairs):
    splits = ende.build_splits(seed=0)
    english = {name: {en for en, _ in split} for name, split in splits.items()}
    assert not english["train"] & english["valid"]
    assert not english["train"] & english["test"]
    assert not english["valid"] & english["test"]
    # all translations of a held-out sentence are held out together
    by_english = Counter(en for en, _ in pairs)
    for name in ("valid", "test"):
        assert Counter(en for en, _ in splits[name]) == {en: by_english[en] for en in english[name]}


def test_splits_sizes_and_determinism(pairs):
    splits = ende.build_splits(seed=0)
    lexicon = ende.lexicon_pairs()
    assert len(splits["valid"]) == 500 and len(splits["test"]) == 1000
    assert len(splits["train"]) == len(pairs) - 1500 + len(lexicon)
    assert splits["train"][len(pairs) - 1500:] == lexicon
    sentences = splits["train"][: len(pairs) - 1500]
    assert sorted(sentences + splits["valid"] + splits["test"]) == pairs
    assert ende.build_splits(seed=0) == splits
    other = ende.build_splits(seed=1)
    assert other["test"] != splits["test"]
    capped = ende.build_splits(seed=0, sizes={"train": 2000})
    assert len(capped["train"]) == 2000 and capped["train"] == splits["train"][:2000]
    assert capped["test"] == splits["test"] and capped["valid"] == splits["valid"]
    small = ende.build_splits(seed=0, sizes={"valid": 50, "test": 100, "train": 300})
    assert [len(small[k]) for k in ("train", "valid", "test")] == [300, 50, 100]


def test_missing_tsv_names_the_file_and_the_command(tmp_path, monkeypatch):
    missing = tmp_path / "pairs.tsv"
    monkeypatch.setattr(ende, "DATA_FILE", missing)
    with pytest.raises(FileNotFoundError) as info:
        ende.build_splits()
    assert str(missing) in str(info.value) and "scripts/fetch_ende.py" in str(info.value)


def test_examples_are_unseen_and_in_vocabulary(pairs):
    from core.train import SETTINGS

    min_freq = SETTINGS["en-de"].min_freq
    train = ende.build_splits(seed=0)["train"]
    counts = Counter(t for en, _ in train for t in tokenize(normalize(en, lowercase=False), "word"))
    english = {en for en, _ in pairs}
    assert 8 <= len(ende.EXAMPLES) <= 12
    for example in ende.EXAMPLES:
        assert example not in english
        assert all(counts[t] >= min_freq for t in tokenize(normalize(example, lowercase=False), "word")), example


def test_lexicon_extraction_keeps_short_entries_whose_words_the_sentences_use():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "fetch_ende.py"
    spec = importlib.util.spec_from_file_location("fetch_ende_lexicon", path)
    fetch = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(fetch)
    sentences = [("The house is red.", "Das Haus ist rot."), ("We eat bread.", "Wir essen Brot.")]
    lines = ["Haus {n} | Häuser {pl} :: house | houses\n",  # 'houses'/'Häuser' are not in the sentences
             "rot {adj} :: red\n",
             "essen {vt} :: to eat\n",
             "Brot {n} [cook.]; Laib {m} :: bread; loaf\n",  # 'loaf'/'Laib' unknown
             "etw. essen :: to eat sth.\n",  # placeholder
             "# comment :: line\n"]
    assert fetch.extract_lexicon(lines, sentences) == [("bread", "Brot"), ("eat", "essen"), ("house", "Haus"),
                                                       ("red", "rot")]


def test_training_split_holds_the_lexicon_but_held_out_splits_do_not():
    from core.tasks import ende

    splits = ende.build_splits()
    lexicon = set(ende.lexicon_pairs())
    assert lexicon and lexicon <= set(splits["train"])
    assert not lexicon & (set(splits["valid"]) | set(splits["test"]))
    # only single-word entries, and every one of them from the dictionary file
    assert all(len(en.split()) == 1 == len(de.split()) for en, de in lexicon)
    everything = ende.load_pairs(ende.LEXICON_FILE)
    assert lexicon <= set(everything) and len(lexicon) < len(everything)
