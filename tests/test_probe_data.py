"""The data probe (probes/data): facts computed from declared data files, asserted exactly.

Generated tables with planted blanks, duplicates, out-of-range values, values outside the allowed
ones, a constant column, a missing field, personal columns and split leakage; the same table in
every format; bad files; the real Titanic CSV (tests/data/titanic, SOURCE.txt); and the CLI end to
end on a 5 000-row project whose manifest misdeclares its data.
"""
from __future__ import annotations

import gzip
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers import AS_OF, INVOICE, cli

from mlcompliance.errors import InputError
from mlcompliance.evidence.project import KINDS, Project
from mlcompliance.probes.data import personal
from mlcompliance.probes.data.cache import Cache
from mlcompliance.probes.data import special as special_mod
from mlcompliance.probes.data.observe import observe_data
from mlcompliance.probes.data.read import read_table

TITANIC = Path(__file__).parent / "data" / "titanic" / "titanic.csv"
FIELDS = [
    {"name": "id", "type": "integer"},
    {"name": "age", "type": "integer", "min": 18, "max": 99},
    {"name": "income", "type": "number", "nullable": False},
    {"name": "label", "type": "integer", "allowed_values": [0, 1]},
    {"name": "country", "type": "string"},
    {"name": "weight", "type": "number"},          # declared, not a column
]


def project_of(datasets: list[dict[str, Any]], root: Path = Path(".")) -> Project:
    bundle = {"model_card": {}, "data_manifest": {"datasets": datasets}, "pipeline": {}}
    return Project(root, "t", None, {}, {k: None for k in KINDS}, {k: f"{k}.yaml" for k in KINDS}, bundle)


def probe(files: dict[str, bytes], datasets: list[dict[str, Any]]) -> tuple[dict[str, Any], dict]:
    return observe_data(project_of(datasets), files)


def planted_rows() -> list[dict[str, Any]]:
    """200 rows + 3 repeated ones: 8 blank incomes, ages 150 (x2) and 5 (x1), label 3 (x3), country constant."""
    rows = []
    for i in range(200):
        age = 150 if i in (5, 17) else 5 if i == 9 else 20 + i % 50
        rows.append({"id": i, "age": age, "income": "" if i % 25 == 0 else 1000 + 10 * i,
                     "label": 3 if i in (11, 13, 15) else i % 2, "country": "DE"})
    return rows + [rows[10], rows[20], rows[30]]


def csv_bytes(rows: list[dict[str, Any]]) -> bytes:
    head = list(rows[0])
    lines = [",".join(head)] + [",".join(str(r[c]) for c in head) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def test_one_pass_counts_every_planted_problem_exactly():
    facts, index = probe({"d.csv": csv_bytes(planted_rows())},
                         [{"id": "train", "path": "d.csv", "fields": FIELDS, "rows": 12}])
    d = facts["datasets"]["train"]
    assert (d["readable"], d["profiled"], d["rows"]) == (True, True, 203)
    assert d["columns"] == ["id", "age", "income", "label", "country"]
    assert d["dtypes"] == {"id": "integer", "age": "integer", "income": "number", "label": "integer",
                           "country": "string"}
    income = d["column_stats"]["income"]
    assert (income["missing"], income["missing_share"]) == (8, 0.039409)
    assert (income["min"], income["max"]) == (1010, 2990)
    assert d["column_stats"]["id"]["distinct"] == 200
    assert d["constant_columns"] == ["country"]
    assert d["duplicates"]["rows"] == 3 and d["duplicates"]["share"] == 0.014778
    declared = d["declared_fields"]
    assert declared["age"] == {"name": "age", "present": True, "declared_type": "integer", "wrong_type": 0,
                               "below_min": 1, "above_max": 2, "out_of_range": 3, "dataset": "train"}
    assert declared["income"]["nulls_not_allowed"] == 8
    assert declared["label"]["not_allowed"] == 3
    assert declared["weight"] == {"name": "weight", "present": False, "dataset": "train"}
    assert d["declared_fields_missing"] == ["weight"]
    assert d["how"]["sampling"] == {"mode": "full", "n": 203}
    # ages 20..69 otherwise: Q1 32, Q3 57, fences -5.5 / 94.5; median 45, MAD 13 -> the two 150s
    # are outliers by both methods, the planted 5 by neither (within the fences, |z| = 2.08)
    ages = d["column_stats"]["age"]["outliers"]
    assert (ages["tested"], ages["iqr"], ages["robust_z"]) == (203, 2, 2)
    # every fact points at the manifest: the dataset's line, per-field facts at that field's line
    assert index["/observed/data/datasets/train"] == ("data_manifest.yaml", 1)


def test_outliers_on_a_sample_record_the_seed_and_n():
    import pandas as pd

    from mlcompliance.probes.data.profile import SEED, Profiler
    profiler = Profiler(sample_rows=50)
    frame = pd.DataFrame({"x": list(range(200))})
    for start in range(0, 200, 64):
        profiler.update(frame.iloc[start:start + 64].copy())
    facts = profiler.facts()
    assert facts["outliers_how"]["mode"] == "sampled" and facts["outliers_how"]["n"] == 50
    assert facts["outliers_how"]["seed"] == SEED
    assert facts["column_stats"]["x"]["outliers"]["tested"] == 50
    again = Profiler(sample_rows=50)
    for start in range(0, 200, 64):
        again.update(frame.iloc[start:start + 64].copy())
    assert again.facts() == facts           # the same seed draws the same sample


def test_text_hash_by_byte_position_equals_the_general_sum(monkeypatch):
    """Short strings are summed one byte position at a time (a matrix when all have one length):
    the same hashes as the general path, for ids, mixed lengths, UTF-8, blanks, nulls and slices."""
    import pyarrow as pa

    from mlcompliance.probes.data import profile
    cases = [[f"R{i:08d}" for i in range(500)],
             [None if i % 7 == 0 else "" if i % 5 == 0 else "é" * (i % 4) + "x" * (i % 11) for i in range(500)],
             ["a"], ["", None, ""]]
    for values in cases:
        arr = pa.array(values, type=pa.large_string())
        for part in (arr, arr.slice(1, max(len(arr) - 2, 0))):
            fast = profile.text_hash(part)
            monkeypatch.setattr(profile, "_BY_POSITION", 0)
            general = profile.text_hash(part)
            monkeypatch.undo()
            assert fast.tolist() == general.tolist()
    assert len(set(profile.text_hash(pa.array(cases[0], type=pa.large_string())).tolist())) == 500


def test_row_hashes_spilled_to_temporary_files_give_the_same_facts(monkeypatch):
    """Beyond SPILL_ROWS rows the row and key hashes go to temporary files (duplicates counted bucket
    by bucket, hashes read back memory-mapped): the facts and hashes are those kept in memory."""
    import os

    import numpy as np
    import pandas as pd

    from mlcompliance.probes.data import profile
    frame = pd.read_csv(io.BytesIO(csv_bytes(planted_rows())))

    def run() -> tuple[Any, ...]:
        profiler = profile.Profiler(FIELDS, "id")
        for start in range(0, len(frame), 64):
            profiler.update(frame.iloc[start:start + 64].copy())
        folder = profiler.hashes.folder
        out = (profiler.facts(), np.asarray(profiler.all_row_hashes()).tolist(),
               np.asarray(profiler.all_key_hashes()).tolist(), type(profiler.all_row_hashes()), folder)
        return out
    kept = run()
    monkeypatch.setattr(profile, "SPILL_ROWS", 100)
    spilled = run()
    assert kept[4] is None and spilled[4] is not None and spilled[3] is np.memmap
    assert spilled[:3] == kept[:3] and kept[0]["duplicates"]["rows"] == 3
    assert not os.path.exists(spilled[4])        # removed with its profiler


def test_parquet_is_decoded_in_small_batches_but_chunked_as_declared(tmp_path, monkeypatch):
    import pandas as pd

    from mlcompliance.probes.data import read
    frame = pd.DataFrame({"x": range(203), "s": [f"v{i % 9}" for i in range(203)]})
    path = tmp_path / "t.parquet"
    frame.to_parquet(path, index=False, row_group_size=7)
    monkeypatch.setattr(read, "PARQUET_BATCH", 8)
    chunks = list(read.iter_chunks(path, "parquet", chunksize=50))
    assert [len(c) for c in chunks] == [50, 50, 50, 50, 3]
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), pd.read_parquet(path))


def _as_formats(rows: list[dict[str, Any]]) -> dict[str, bytes]:
    import pandas as pd
    frame = pd.read_csv(io.BytesIO(csv_bytes(rows)))
    parquet, jsonl = io.BytesIO(), io.StringIO()
    frame.to_parquet(parquet, index=False)
    frame.to_json(jsonl, orient="records", lines=True)
    return {"d.csv": csv_bytes(rows), "d.csv.gz": gzip.compress(csv_bytes(rows), mtime=0),
            "d.parquet": parquet.getvalue(), "d.jsonl": jsonl.getvalue().encode()}


def test_csv_gzip_parquet_and_json_lines_give_the_same_counts():
    files = _as_formats(planted_rows())
    datasets = [{"id": name, "path": name, "fields": FIELDS} for name in files]
    facts, _ = probe(files, datasets)
    keep = ("rows", "columns", "constant_columns", "declared_fields", "declared_fields_missing")
    seen = {name: {k: d[k] for k in keep} | {"dup": d["duplicates"]["rows"],
                                              "missing": d["column_stats"]["income"]["missing"]}
            for name, d in facts["datasets"].items()}
    for d in seen.values():
        for entry in d["declared_fields"].values():
            entry.pop("dataset")
    assert all(v == seen["d.csv"] for v in seen.values()), seen
    assert seen["d.csv"]["dup"] == 3 and seen["d.csv"]["missing"] == 8
    assert {d["format"] for d in facts["datasets"].values()} == {"csv", "parquet", "jsonl"}


def test_column_hashes_agree_across_dtypes_and_tell_values_apart():
    import pandas as pd

    from mlcompliance.probes.data.profile import column_hash
    text = ["a", "bc", None, "", "ba", "ab", "\u00e9t\u00e9"]
    obj = column_hash(pd.Series(text, dtype=object))
    assert obj.tolist() == column_hash(pd.Series(text, dtype="str")).tolist()
    assert len(set(obj.tolist())) == len(text)              # "" is not missing, "ab" is not "ba"
    ints = column_hash(pd.Series([1, 2, 0]))
    assert ints.tolist() == column_hash(pd.Series([1.0, 2.0, -0.0])).tolist()
    assert column_hash(pd.Series([1.0, None])).tolist()[1] == column_hash(pd.Series([None, 2.0]))[0]


# --- personal data -------------------------------------------------------------------------

PERSONAL = {
    "contact": ["anna.schmidt@example.com", "b.rossi@example.org", "c.dupont@example.net", "d.kowalski@example.pl"],
    "tel": ["+49 30 1234567", "+33 1 23 45 67 89", "+39 06 1234 5678", "+44 20 7946 0958"],
    "acct": ["DE89370400440532013000", "GB82WEST12345698765432", "DE89370400440532013000", "GB82WEST12345698765432"],
    "pan": ["4111111111111111", "5500005555555559", "378282246310005", "4111111111111111"],
    "ids": ["86095742719", "RSSMRA85T10A562S", "12345678Z", "AB123456C"],
    "birthdate": ["1980-04-02", "1975-11-30", "02.03.1990", "1969-07-21"],
    "person": ["Anna Schmidt", "Bruno Rossi", "Claire Dupont", "Dorota Kowalska"],
    "addr_ip": ["192.0.2.1", "198.51.100.7", "2001:db8::1", "203.0.113.9"],
    "pc": ["SW1A 1AA", "1012 AB", "EC1A 1BB", "3511 LX"],
    "note": ["ok", "late", "ok", "paid"],
}


def personal_csv() -> bytes:
    names = list(PERSONAL)
    lines = [",".join(names)] + [",".join(PERSONAL[n][i] for n in names) for i in range(4)]
    return ("\n".join(lines) + "\n").encode()


def test_personal_columns_by_name_and_content_with_shares_and_never_a_value():
    facts, index = probe({"p.csv": personal_csv()},
                         [{"id": "people", "path": "p.csv", "personal_data": False,
                           "fields": [{"name": "contact"}, {"name": "person", "personal": True}]}])
    p = facts["datasets"]["people"]["personal"]
    assert p["observed"] is True and p["declared_personal_data"] is False
    assert p["looks_personal_columns"] == ["contact", "tel", "acct", "pan", "ids", "birthdate", "person",
                                           "addr_ip", "pc"]
    cols = p["columns"]

    def share(col: str, kind: str) -> float:
        return next(h["share"] for h in cols[col]["content"] if h["kind"] == kind)
    assert cols["contact"]["kinds"] == ["email"] and cols["contact"]["by_name"] is None
    assert share("contact", "email") == 1.0
    assert cols["tel"]["by_name"] == "phone" and share("tel", "phone") == 1.0
    assert share("acct", "iban") == 1.0 and share("pan", "payment_card") == 1.0
    assert {h["kind"]: h["matched"] for h in cols["ids"]["content"]} == {
        "id_de_steuer": 1, "id_it_cf": 1, "id_es_dni": 1, "id_uk_nino": 1, "national_id": 4}
    assert cols["ids"]["kinds"] == ["national_id"]         # 1 of 4 per state, 4 of 4 ids of some state
    assert cols["birthdate"]["by_name"] == "date_of_birth" and share("birthdate", "date") == 1.0
    assert share("person", "person_name") == 1.0 and share("addr_ip", "ip_address") == 1.0
    assert share("pc", "postcode") == 1.0
    assert "note" not in cols
    # declared context: the field `contact` exists but is not marked personal, `person` is marked
    assert (cols["contact"]["declared_personal"], cols["person"]["declared_personal"]) == (False, True)
    assert cols["tel"]["declared_personal"] is False          # fields are declared and tel is not among them
    # per-column facts point at the field's line when declared, else at personal_data's line
    assert index["/observed/data/datasets/people/personal/columns/contact"] == ("data_manifest.yaml", 1)
    text = json.dumps(facts)
    for values in PERSONAL.values():
        for v in values:
            if v not in ("ok", "late", "paid"):
                assert v not in text, v
    assert "min" not in facts["datasets"]["people"]["column_stats"]["pan"]


def test_ids_of_every_listed_state_are_recognised_with_their_check_digits():
    ok = {"id_de_steuer": "86095742719", "id_fr_nir": "255081416802538", "id_it_cf": "RSSMRA85T10A562S",
          "id_es_dni": "X1234567L", "id_nl_bsn": "111222333", "id_pl_pesel": "44051401359",
          "id_se_pnr": "811228-9874", "id_uk_nino": "AB123456C"}
    for kind, value in ok.items():
        assert personal.VALIDATORS[kind](value), kind
    bad = {"id_de_steuer": "86095742718", "id_fr_nir": "255081416802539", "id_it_cf": "RSSMRA85T10A562T",
           "id_es_dni": "12345678A", "id_nl_bsn": "123456789", "id_pl_pesel": "44051401358",
           "id_se_pnr": "811228-9873", "id_uk_nino": "QQ123456C"}
    for kind, value in bad.items():
        assert not personal.VALIDATORS[kind](value), kind
    assert personal.iban_valid("DE89 3704 0044 0532 0130 00") and not personal.iban_valid("DE89370400440532013001")
    assert personal.card_valid("4111 1111 1111 1111") and not personal.card_valid("4111111111111112")


def test_special_categories_by_name():
    assert [personal.special_by_name(c) for c in ("Religion", "ethnic_origin", "diagnosis_code", "criminalRecord",
                                                  "revenue", "union")] == [
        "religious", "racial_ethnic", "health", "criminal", None, None]


SPECIAL = {   # column -> (values, expected category by content or None)
    "q7": (["Christian", "Muslim", "No religion", "Hindu", "Jewish", "none", "Katholisch", "musulmán"], "religious"),
    "grp": (["White: English, Welsh, Scottish, Northern Irish or British", "Asian or Asian British: Indian",
             "Black African", "White", "Mixed", "Hispanic or Latino", "White", "Black African"], "racial_ethnic"),
    "dx": (["E11.9", "I10.0", "J45.909", "F32.1", "E11.9", "C50.9", "I10.0", "K50.0"], "health"),
    "cond": (["diabetes", "asthma", "none", "none", "hypertension", "no", "Depression", "none"], "health"),
    "snp": (["rs12345", "rs7412", "rs429358", "rs1801133", "rs12345", "rs7412", "rs4680", "rs53576"], "genetic"),
    "gt": (["AA", "AG", "GG", "AG", "CT", "CC", "A/G", "TT"], "genetic"),
    "offence": (["theft", "burglary", "assault", "fraud", "Diebstahl", "no", "none", "vol"], "criminal"),
    "orient": (["heterosexual", "gay", "bisexual", "lesbian", "straight", "prefer not to say", "Homosexuel",
                "heterosexual"], "sexual_orientation"),
    "vote": (["Labour", "Conservative", "Liberal Democrats", "SNP", "Green Party", "SPD", "CDU", "Labour"], "political"),
    "tu": (["union member", "non-union", "union member", "Gewerkschaftsmitglied", "syndiqué", "no", "FNV",
            "ver.di"], "trade_union"),
    # negatives: ordinary columns whose values share words with the vocabularies
    "paint": (["white", "black", "red", "blue", "white", "black", "black", "white"], None),
    "bw": (["white", "black", "white", "black", "white", "black", "white", "black"], None),
    "yn": (["yes", "no", "no", "yes", "no", "no", "yes", "no"], None),
    "product": (["Electronics", "Books", "Garden", "Toys", "Clothing", "Books", "Toys", "Garden"], None),
    "city": (["London", "Paris", "Berlin", "Madrid", "Rome", "Amsterdam", "Lisbon", "Vienna"], None),
    "comment": (["The delivery was late", "great product", "would buy again", "not happy with the colour",
                 "fraud alert was wrong", "my union card was accepted", "white box", "ok"], None),
    "sku": (["A12", "B34", "C56", "D78", "E11", "F32", "I10", "J45"], None),
    "rating": (["AA", "CC", "AA", "BBB", "A", "AA", "CC", "B"], None),
    "label": (["fraud", "legit", "legit", "fraud", "legit", "legit", "fraud", "legit"], None),
    "hair": (["straight", "curly", "wavy", "straight", "curly", "straight", "wavy", "curly"], None),
    "profile": (["conservative", "balanced", "growth", "aggressive", "balanced", "growth", "balanced", "growth"], None),
    "sign": (["aries", "cancer", "leo", "virgo", "libra", "cancer", "taurus", "gemini"], None),
    "gender": (["male", "female", "female", "male", "female", "male", "diverse", "female"], None),
}


def test_special_categories_by_content_with_shares_no_values_and_few_false_positives():
    names = list(SPECIAL)
    text = "\n".join([",".join(names)] + [",".join(f'"{SPECIAL[n][0][i]}"' for n in names) for i in range(8)]) + "\n"
    facts, index = probe({"s.csv": text.encode()},
                         [{"id": "s", "path": "s.csv", "personal_data": True, "special_categories": ["health"],
                           "fields": [{"name": "vote", "special_category": "political"}]}])
    special = facts["datasets"]["s"]["personal"]["special_categories"]
    assert {n: special[n]["category"] for n in special} == {n: c for n, (_, c) in SPECIAL.items() if c}
    assert {n: special[n]["by"] for n in special if special[n]["by"] != "content"} == {
        "snp": "name and content", "offence": "name and content"}        # their names say it too
    q7 = special["q7"]
    assert q7["share"] == 1.0 and q7["kinds"] == ["religious"] and q7["declared"] is False
    [hit] = q7["content"]
    assert (hit["tested"], hit["neutral"], hit["matched"], hit["distinct"]) == (8, 1, 7, 7)   # "none" is neutral
    cond = special["cond"]["content"][0]
    assert (cond["neutral"], cond["matched"], cond["share"]) == (4, 4, 1.0)
    assert special["dx"]["declared"] is True and special["cond"]["declared"] is True     # dataset declares health
    assert special["vote"]["declared"] is True                                            # the field declares it
    assert special["gt"]["share"] == 1.0
    assert facts["summary"]["special_categories"] is True
    # the rule's pointer: the field's line when declared, else the dataset's special_categories line
    assert "/observed/data/datasets/s/personal/special_categories/q7" in index
    dumped = json.dumps(special)
    for n, (values, category) in SPECIAL.items():
        if category:
            for v in values:
                if special_mod.normalise(v) not in special_mod.NEUTRAL:
                    assert f'"{v}"' not in dumped, v
    assert "tested values that say something" in q7["description"]


def test_special_by_name_and_content_together_and_name_only():
    facts, _ = probe({"r.csv": b"religion,ethnicity\nChristian,12\nMuslim,13\nHindu,14\n"},
                     [{"id": "r", "path": "r.csv"}])
    special = facts["datasets"]["r"]["personal"]["special_categories"]
    assert special["religion"]["by"] == "name and content" and special["religion"]["category"] == "religious"
    assert special["ethnicity"] == {"name": "ethnicity", "category": "racial_ethnic", "by": "name",
                                    "declared": False, "dataset": "r"}


def test_special_vocabularies_are_consistent():
    for category, weak in special_mod.WEAK.items():
        assert weak <= special_mod.VOCAB[category], category
    assert not (special_mod.NEUTRAL & set().union(*special_mod.VOCAB.values()))
    assert set(special_mod.VOCAB) | {"genetic"} == set(special_mod.DESCRIPTIONS)


def test_cyclonedx_hashes_of_data_components_are_recorded_with_the_bom_line():
    import hashlib
    data = b"a,b\n1,2\n3,4\n"
    md5 = hashlib.md5(data).hexdigest()
    bom = {"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [
        {"type": "data", "name": "train", "hashes": [{"alg": "MD5", "content": md5},
                                                      {"alg": "SHA-256", "content": "AB" * 32}],
         "data": [{"type": "dataset", "contents": {"url": "file:./data/train.csv"}}]},
        {"type": "data", "name": "data/test.csv", "hashes": [{"alg": "SHA-512", "content": "a" * 128}]},
        {"type": "data", "name": "other", "hashes": [{"alg": "MD5", "content": md5}],
         "properties": [{"name": "path", "value": "data/other.csv"}]},
        {"type": "data", "name": "remote", "hashes": [{"alg": "SHA-256", "content": "0" * 64}],
         "data": [{"contents": {"url": "https://example.com/data/remote.csv"}}]},
        {"type": "library", "name": "data/lib.csv", "hashes": [{"alg": "SHA-256", "content": "0" * 64}]}]}
    files = {f"data/{n}.csv": data for n in ("train", "test", "other", "remote", "lib")}
    files["model.cdx.json"] = json.dumps(bom, indent=1).encode()
    facts, index = probe(files, [{"id": n, "path": f"data/{n}.csv"} for n in ("train", "test", "other", "remote", "lib")])
    got = {k: v["integrity"].get("cyclonedx") for k, v in facts["datasets"].items()}
    assert got["train"] == {"alg": "SHA-256", "value": "ab" * 32, "compared_with": "sha256", "component": "train",
                            "file": "model.cdx.json", "line": 15}               # SHA-256 preferred, lower case
    assert (got["test"]["alg"], got["test"]["compared_with"]) == ("SHA-512", None)
    assert (got["other"]["alg"], got["other"]["value"], got["other"]["compared_with"]) == ("MD5", md5, "md5")
    assert got["remote"] is None and got["lib"] is None       # a remote URL's last segment; not a data component
    assert index["/observed/data/datasets/train/integrity/cyclonedx"] == ("model.cdx.json", 15)


def test_the_real_cyclonedx_example_has_no_data_hashes_to_compare():
    from mlcompliance.probes.data.bom import bom_hashes
    bom = Path(__file__).resolve().parents[1].parent / "shared" / "reference" / "examples" / "cyclonedx-mlbom" / "bom.json"
    if not bom.exists():
        bom = Path("/work/shared/reference/examples/cyclonedx-mlbom/bom.json")
    if not bom.exists():
        pytest.skip("shared reference examples not present")
    assert bom_hashes(project_of([]), {"bom.json": bom.read_bytes()}) == {}


# --- splits --------------------------------------------------------------------------------

def test_split_overlap_by_row_and_by_key_is_counted():
    train = "cid,x,y\n" + "".join(f"C{i},{i},{i % 2}\n" for i in range(10))
    test = "cid,x,y\nC1,1,1\nC2,2,0\nC3,99,1\nC20,20,0\nC21,21,1\n"   # 2 identical rows, 3 shared keys
    datasets = [{"id": "tr", "path": "tr.csv", "split": "train", "split_key": "cid"},
                {"id": "te", "path": "te.csv", "split": "test", "split_key": "cid"}]
    facts, index = probe({"tr.csv": train.encode(), "te.csv": test.encode()}, datasets)
    [pair] = facts["splits"]
    assert (pair["first"], pair["second"]) == ("tr", "te")
    assert pair["rows"] == {"compared": 5, "overlapping": 2, "share": 0.4}
    assert pair["keys"] == {"key": "cid", "compared": 5, "overlapping": 3, "share": 0.6}
    assert "/observed/data/splits/0" in index


# --- bad input -----------------------------------------------------------------------------

@pytest.mark.parametrize("name, data, declared, fragment", [
    ("gone.csv", None, None, "data file not found"),
    ("empty.csv", b"", None, "empty"),
    ("latin1.csv", "name\nJos\u00e9\n".encode("latin-1"), None, "not UTF-8"),
    ("p.csv", b"PAR1\x00\x00garbage", None, "a Parquet file, not csv"),
    ("t.parquet", b"a,b\n1,2\n", None, "not a readable parquet file"),
    ("t.csv", b"a,b\n1,2\n", "parquet", "not a readable parquet file"),
    ("bad.jsonl", b'{"a": 1}\n{"a": \n', None, "not a readable jsonl file"),
    ("ragged.csv", b"a,b\n1,2\n1,2,3,4\n", None, "not a readable csv file"),
])
def test_a_bad_data_file_is_a_fact_naming_the_file_never_a_traceback(name, data, declared, fragment):
    files = {} if data is None else {name: data}
    ds = {"id": "d", "path": name} | ({"format": declared} if declared else {})
    facts, _ = probe(files, [ds])
    d = facts["datasets"]["d"]
    assert d["readable"] is False and d["profiled"] is False
    assert fragment in d["error"] and name in d["error"]


def test_csv_injection_payloads_are_data():
    data = b"id,comment\n1,=cmd|' /C calc'!A0\n2,+SUM(A1:A2)\n3,@HYPERLINK(\"x\")\n"
    facts, _ = probe({"i.csv": data}, [{"id": "d", "path": "i.csv"}])
    d = facts["datasets"]["d"]
    assert d["readable"] is True and d["rows"] == 3 and d["column_stats"]["comment"]["distinct"] == 3
    assert "calc" not in json.dumps(facts)


def test_read_table_raises_input_error_naming_the_file(tmp_path):
    with pytest.raises(InputError) as err:
        read_table(tmp_path / "none.csv", "csv")
    assert "none.csv" in str(err.value) and "not found" in str(err.value)
    (tmp_path / "ok.csv").write_text("a,b\n1,x\n2,y\n")
    frame = read_table(tmp_path / "ok.csv", "csv", columns=["a"])
    assert list(frame.columns) == ["a"] and frame["a"].tolist() == [1, 2]


def test_integrity_of_a_file_and_of_a_directory(tmp_path):
    import hashlib
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "b.csv").write_text("x\n1\n")
    (tmp_path / "d" / "sub" / "a.csv").write_text("x\n2\n")
    (tmp_path / "f.csv").write_text("x\n1\n")
    datasets = [{"id": "f", "path": "f.csv"}, {"id": "d", "path": "d"}]
    facts, _ = observe_data(project_of(datasets, tmp_path), cache=Cache(tmp_path / "cache"))
    f = facts["datasets"]["f"]["integrity"]
    assert f["sha256"] == hashlib.sha256(b"x\n1\n").hexdigest() and f["md5"] == hashlib.md5(b"x\n1\n").hexdigest()
    assert f["size"] == 4
    d = facts["datasets"]["d"]
    sha = hashlib.sha256()
    for rel, content in (("b.csv", b"x\n1\n"), ("sub/a.csv", b"x\n2\n")):
        sha.update(rel.encode() + b"\0" + hashlib.sha256(content).hexdigest().encode() + b"\n")
    assert d["integrity"]["sha256"] == sha.hexdigest() and d["integrity"]["files"] == 2
    assert d["profiled"] is False and "directory" in d["reason"]


def test_results_are_cached_by_file_digest_and_declaration(tmp_path, monkeypatch):
    from mlcompliance.probes.data import observe as data_observe
    (tmp_path / "d.csv").write_bytes(csv_bytes(planted_rows()))
    datasets = [{"id": "d", "path": "d.csv", "fields": FIELDS, "split": "train"}]
    cache = Cache(tmp_path / "cache")
    first, _ = observe_data(project_of(datasets, tmp_path), cache=cache)

    def boom(*_a: Any, **_k: Any) -> None:
        raise AssertionError("profiled again despite the cache")
    monkeypatch.setattr(data_observe, "_profile", boom)
    second, _ = observe_data(project_of(datasets, tmp_path), cache=cache)
    assert json.dumps(second) == json.dumps(first)
    changed = [{**datasets[0], "fields": FIELDS[:1]}]
    with pytest.raises(AssertionError, match="profiled again"):
        observe_data(project_of(changed, tmp_path), cache=cache)


# --- real data: Titanic ----------------------------------------------------------------------

def test_titanic_name_sex_and_age_are_personal():
    facts, _ = probe({"titanic.csv": TITANIC.read_bytes()},
                     [{"id": "titanic", "path": "titanic.csv", "personal_data": False, "rows": 1309}])
    d = facts["datasets"]["titanic"]
    assert d["rows"] == 1309 and len(d["columns"]) == 14
    p = d["personal"]
    assert p["looks_personal_columns"] == ["name", "sex", "age"]
    assert [p["columns"][c]["by_name"] for c in ("name", "sex", "age")] == ["person_name", "sex_gender", "age"]
    names = next(h for h in p["columns"]["name"]["content"] if h["kind"] == "person_name")
    assert names["tested"] == 1309 and names["share"] >= 0.99
    assert d["dtypes"]["age"] == "string"                      # "?" marks a missing age
    assert d["column_stats"]["age"]["values_withheld"]
    mixed = d["column_stats"]["ticket"]["mixed_types"]
    assert mixed["mixed"] is True and mixed["tested"] == 1309
    assert "Allen, Miss. Elisabeth Walton" not in json.dumps(facts)
    assert facts["summary"]["personal_data"] is True
    # sex is personal but not a special category; no column is one by name or content
    assert p["special_categories"] == {} and facts["summary"]["special_categories"] is False


# --- end to end --------------------------------------------------------------------------------

FIRST = ["Anna", "Bruno", "Claire", "Dorota", "Emil", "Fatima", "Giulia", "Hans", "Ines", "Jan"]
LAST = ["Schmidt", "Rossi", "Dupont", "Kowalska", "Nielsen", "Garcia", "Bianchi", "Weber", "Silva", "Jansen"]


def people_csv() -> str:
    lines = ["customer_id,full_name,email,date_of_birth,age,income,region"]
    for i in range(5000):
        first, last = FIRST[i % 10], LAST[(i // 10) % 10]
        lines.append(",".join([
            f"K{i:05d}", f"{first} {last}", f"{first.lower()}.{last.lower()}{i}@example.com",
            f"{1950 + i % 50}-{1 + i % 12:02d}-{1 + i % 28:02d}", str(18 + (i * 7) % 60),
            "" if i % 36 == 0 else str(20000 + i), "" if i % 11 == 0 and i < 4851 else "north"]))
    return "\n".join(lines) + "\n"


MANIFEST = """\
kind: data_manifest
schema_version: "1.0"
datasets:
  - id: customers
    name: Customers
    path: data/customers.csv
    format: csv
    rows: 12
    split: train
    personal_data: false
    fields:
      - {name: customer_id, type: string}
      - {name: full_name, type: string}
      - {name: age, type: integer, min: 30, max: 40}
      - {name: income, type: number, nullable: false}
      - {name: region, type: categorical, nullable: false}
      - {name: tenure, type: integer}
"""


@pytest.fixture(scope="module")
def people_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("people") / "people"
    shutil.copytree(INVOICE, root)
    (root / "data_manifest.yaml").write_text(MANIFEST, encoding="utf-8")
    (root / "data" / "customers.csv").write_text(people_csv(), encoding="utf-8")
    return root


def test_misdeclared_data_gives_findings_at_the_manifest_lines(people_project):
    res = cli("check", people_project, "--as-of", AS_OF, "--format", "json")
    assert res.exit_code == 1, res.output
    result = json.loads(res.stdout)
    found: dict[str, list[tuple[int, str]]] = {}
    for f in result["findings"]:
        if f["outcome"] == "fail" and f["location"]["file"] == "data_manifest.yaml":
            found.setdefault(f["rule_id"], []).append((f["location"]["line"], f["message"]))
    assert found["GDPR-ART5-2-OBSERVED-PERSONAL-DECLARED"] == [
        (10, "Dataset customers is not declared personal_data: true, but its columns "
             '["full_name", "email", "date_of_birth", "age"] look personal')]
    assert sorted(line for line, _ in found["GDPR-ART5-2-OBSERVED-FIELD-MARKED"]) == [10, 10, 13, 14]
    assert found["MLOPS-05-DATA-ROWS-AS-DECLARED"] == [
        (8, "Dataset customers: the declared number of rows is not the file's: declared 12, observed 5000")]
    assert sorted(found["MLOPS-05-DATA-NOT-NULLABLE"]) == [
        (15, "Dataset customers: field income is declared nullable: false but 139 values are missing"),
        (16, "Dataset customers: field region is declared nullable: false but 441 values are missing")]
    assert found["MLOPS-05-DATA-IN-RANGE"] == [
        (14, "Dataset customers: field age has 1001 values below its declared min and 3082 above its max")]
    assert found["MLOPS-05-DATA-FIELD-PRESENT"] == [
        (17, "Dataset customers: declared field tenure is not a column of the data")]
    # the observation makes holds_personal_data hold: GDPR rules keyed on it are no longer skipped
    skipped = [f for f in result["findings"] if f["message"] == "Not applicable: condition 'holds_personal_data' does not hold."]
    assert skipped == []


def test_no_personal_value_reaches_any_report(people_project):
    values = {"Anna Schmidt", "anna.schmidt0@example.com", "1950-01-01", "Jan Jansen"}
    for fmt in ("json", "md", "html", "sarif", "text"):
        res = cli("check", people_project, "--as-of", AS_OF, "--format", fmt)
        assert res.exit_code == 1
        assert not [v for v in values if v in res.stdout], fmt


def test_no_probes_is_a_metadata_only_gate_without_pandas_or_scipy(people_project):
    code = ("import sys; from mlcompliance.cli import main\n"
            "try:\n    main(sys.argv[1:])\nexcept SystemExit: pass\n"
            "print('HEAVY', sorted(m for m in ('pandas', 'scipy', 'pyarrow', 'numpy') if m in sys.modules), "
            "file=sys.stderr)")
    run = [sys.executable, "-c", code, "check", str(people_project), "--as-of", AS_OF, "--format", "json"]
    off = subprocess.run([*run, "--no-probes"], capture_output=True, text=True, check=False)
    assert "HEAVY []" in off.stderr, off.stderr
    outcomes = {f["outcome"] for f in json.loads(off.stdout)["findings"] if "OBSERVED" in f["rule_id"] and "TRIGGERS" not in f["rule_id"]}
    assert outcomes == {"not_applicable"}
    on = subprocess.run([*run, "--probe"], capture_output=True, text=True, check=False, env={
        **__import__("os").environ, "MLCOMPLIANCE_CACHE_DIR": str(people_project.parent / "fresh-cache")})
    assert "'pandas'" in on.stderr and "'scipy'" not in on.stderr
    assert "GDPR-ART5-2-OBSERVED-PERSONAL-DECLARED" in on.stdout


def test_cold_and_cached_runs_give_byte_identical_results(people_project, tmp_path, monkeypatch):
    monkeypatch.setenv("MLCOMPLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    cold = cli("check", people_project, "--as-of", AS_OF, "--format", "json").stdout
    assert list((tmp_path / "cache" / "data").rglob("*.json"))           # the facts were cached
    warm = cli("check", people_project, "--as-of", AS_OF, "--format", "json").stdout
    assert warm == cold


def test_progress_bar_only_on_a_terminal_and_only_for_large_files(monkeypatch, capsys):
    from mlcompliance.probes.data import observe as data_observe
    big = data_observe.PROGRESS_BYTES
    with data_observe._Progress("d.csv", big) as report:
        assert report is None                                  # stderr is not a terminal under pytest
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    with data_observe._Progress("small.csv", big - 1) as report:
        assert report is None
    with data_observe._Progress("d.csv", big) as report:
        report(big // 2)
        report(big // 2)                                       # same percentage: written once
    err = capsys.readouterr().err
    assert err.count("probing d.csv:  50 %") == 1



@pytest.mark.parametrize("inf", ["inf", "-inf"])
def test_an_infinite_value_does_not_hide_the_range_of_the_finite_ones(inf):
    """min/max are of the finite values: one inf used to blank a chunk's range (or break the merge)."""
    text = "x\n3.5\n" + inf + "\n-2\n10\n"
    facts, _ = probe({"d.csv": text.encode()}, [{"id": "d", "path": "d.csv"}])
    stats = facts["datasets"]["d"]["column_stats"]["x"]
    assert (stats["min"], stats["max"]) == (-2, 10)


def test_an_infinite_value_is_an_outlier_and_leaves_the_quartiles_of_the_others_intact():
    """A third quartile interpolated with inf was inf, so no value (not even the infinities) was an IQR outlier."""
    values = [str(v) for v in range(1, 11)] + ["inf"] * 4
    facts, _ = probe({"d.csv": ("x\n" + "\n".join(values) + "\n").encode()}, [{"id": "d", "path": "d.csv"}])
    outliers = facts["datasets"]["d"]["column_stats"]["x"]["outliers"]
    assert outliers["tested"] == 14 and outliers["iqr"] == 4 and outliers["robust_z"] == 4
