#!/usr/bin/env python3
"""Checks the interp-service JSONL datasets: catalogues/big-five.jsonl and sets/role-granularity.jsonl.

Run from the repository root: python3 interp-service/src/test/resources/check_datasets.py
Exits non-zero and lists the problems when a check fails.
"""
import collections
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
RES = os.path.normpath(os.path.join(HERE, "..", "..", "main", "resources"))
TRAITS = ["openness", "conscientiousness", "extraversion", "agreeableness", "neuroticism"]
# the trait names and their adjectives must not appear in the texts
BANNED = re.compile(r"\b(open|open-minded|openness|conscientious\w*|extra[vo]ert\w*|extra[vo]ersion|"
                    r"introvert\w*|agreeable\w*|neurotic\w*|personality|trait)\b", re.I)
problems = []


def fail(msg):
    problems.append(msg)


def load(path):
    rows = []
    with open(path, "rb") as f:
        raw = f.read()
    if not raw.endswith(b"\n"):
        fail(f"{path}: no final newline")
    for n, line in enumerate(raw.decode("utf-8").split("\n")[:-1], 1):
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            fail(f"{path}:{n}: invalid JSON ({e})")
        if not line.isascii():
            fail(f"{path}:{n}: non-ASCII characters")
    ids = [r.get("id") for r in rows]
    for i, c in collections.Counter(ids).items():
        if c > 1:
            fail(f"{path}: duplicate id {i}")
    for r in rows:
        if set(r) != {"id", "text", "labels"}:
            fail(f"{path}: {r.get('id')}: keys {sorted(r)}")
        if not isinstance(r.get("text"), str) or not r["text"].strip():
            fail(f"{path}: {r.get('id')}: empty text")
        if not isinstance(r.get("labels"), dict) or not all(isinstance(v, str) for v in r["labels"].values()):
            fail(f"{path}: {r.get('id')}: labels must be a map of strings")
    return rows


def words(t):
    return len(t.split())


def sentences(t):
    return len([s for s in re.split(r"(?<=[.!?])\s+", t.strip()) if s])


def check_big_five():
    path = os.path.join(RES, "catalogues", "big-five.jsonl")
    rows = load(path)
    if len(rows) != 120:
        fail(f"big-five: {len(rows)} lines, expected 120")
    by_pair = collections.defaultdict(dict)
    for r in rows:
        lab = r["labels"]
        if set(lab) != {"trait", "pole", "pair", "split"}:
            fail(f"big-five: {r['id']}: label keys {sorted(lab)}")
            continue
        m = re.fullmatch(r"([a-z]+)-(\d\d)", lab["pair"])
        if not m or m.group(1) != lab["trait"] or lab["trait"] not in TRAITS:
            fail(f"big-five: {r['id']}: bad pair/trait {lab}")
            continue
        num = int(m.group(2))
        if not 1 <= num <= 12:
            fail(f"big-five: {r['id']}: pair number {num}")
        if lab["split"] != ("train" if num <= 9 else "test"):
            fail(f"big-five: {r['id']}: split {lab['split']}")
        if lab["pole"] not in ("high", "low") or r["id"] != f"{lab['pair']}-{lab['pole']}":
            fail(f"big-five: {r['id']}: id/pole mismatch")
        w, s = words(r["text"]), sentences(r["text"])
        if not 20 <= w <= 60:
            fail(f"big-five: {r['id']}: {w} words")
        if not 1 <= s <= 3:
            fail(f"big-five: {r['id']}: {s} sentences")
        if BANNED.search(r["text"]):
            fail(f"big-five: {r['id']}: names the trait: {BANNED.search(r['text']).group(0)!r}")
        by_pair[lab["pair"]][lab["pole"]] = r["text"]
    for t in TRAITS:
        for n in range(1, 13):
            p = by_pair.get(f"{t}-{n:02d}", {})
            if set(p) != {"high", "low"}:
                fail(f"big-five: pair {t}-{n:02d} incomplete: {sorted(p)}")
                continue
            wh, wl = words(p["high"]), words(p["low"])
            if abs(wh - wl) > 6:
                fail(f"big-five: pair {t}-{n:02d}: lengths {wh} vs {wl} differ by more than 6 words")
            if p["high"] == p["low"]:
                fail(f"big-five: pair {t}-{n:02d}: identical texts")
    texts = [r["text"] for r in rows]
    if len(set(texts)) != len(texts):
        fail("big-five: duplicate texts")
    return rows


def check_roles():
    path = os.path.join(RES, "sets", "role-granularity.jsonl")
    rows = load(path)
    if len(rows) != 72:
        fail(f"role-granularity: {len(rows)} lines, expected 72")
    roles = collections.defaultdict(set)  # role -> variants
    level_of, family_of = {}, {}
    variants = set()
    for r in rows:
        lab = r["labels"]
        if set(lab) - {"family"} != {"role", "level", "variant"}:
            fail(f"role-granularity: {r['id']}: label keys {sorted(lab)}")
            continue
        if lab["level"] not in ("1", "2", "3", "4"):
            fail(f"role-granularity: {r['id']}: level {lab['level']!r}")
        slug = re.sub(r"[^a-z0-9]+", "-", lab["role"].lower()).strip("-")
        if r["id"] != f"{slug}-{lab['variant']}":
            fail(f"role-granularity: {r['id']}: id should be {slug}-{lab['variant']}")
        if lab["role"] not in r["text"]:
            fail(f"role-granularity: {r['id']}: role not in text")
        if level_of.setdefault(lab["role"], lab["level"]) != lab["level"]:
            fail(f"role-granularity: {lab['role']}: two levels")
        family_of[lab["role"]] = lab.get("family")
        roles[lab["role"]].add(lab["variant"])
        variants.add(lab["variant"])
    if len(variants) != 3:
        fail(f"role-granularity: {len(variants)} variants, expected 3: {sorted(variants)}")
    for role, vs in roles.items():
        if vs != variants:
            fail(f"role-granularity: {role}: variants {sorted(vs)}")
    per_level = collections.Counter(level_of.values())
    for lv in "1234":
        if per_level[lv] != 6:
            fail(f"role-granularity: level {lv} has {per_level[lv]} roles, expected 6")
    # the same template, rendered for every role: texts differ only in the role
    by_variant = collections.defaultdict(set)
    for r in rows:
        by_variant[r["labels"]["variant"]].add(r["text"].replace(r["labels"]["role"], "{role}")
                                               .replace("an {role}", "a {role}"))
    for v, tpls in by_variant.items():
        if len(tpls) != 1:
            fail(f"role-granularity: variant {v} renders {len(tpls)} different templates")
    # chains: each family has one role at levels 2, 3 and 4; the level-4 role names its level-3 role
    fams = collections.defaultdict(dict)
    for role, lv in level_of.items():
        if lv != "1" and family_of.get(role):
            fams[family_of[role]].setdefault(lv, []).append(role)
    for fam, lv in fams.items():
        if any(len(lv.get(k, [])) != 1 for k in "234"):
            fail(f"role-granularity: family {fam} is not one chain: {lv}")
        elif lv["3"][0] not in lv["4"][0]:
            fail(f"role-granularity: family {fam}: {lv['4'][0]!r} does not refine {lv['3'][0]!r}")
    return rows


if __name__ == "__main__":
    b5 = check_big_five()
    rg = check_roles()
    if problems:
        print("\n".join(problems))
        sys.exit(1)
    wc = [words(r["text"]) for r in b5]
    print(f"big-five.jsonl: {len(b5)} lines, words {min(wc)}-{max(wc)} (mean {sum(wc) / len(wc):.1f})")
    print(f"role-granularity.jsonl: {len(rg)} lines")
    print("OK")
