"""Loose mentions: a unit by its bare stem (民政 for 民政局), a section by a paraphrase of its name."""

from __future__ import annotations

from ingest.units import AbbreviationRules


def bare_stems(names: dict[str, str], rules: AbbreviationRules | None) -> list[tuple[str, str]]:
    """(stem, unit) for every alias without its ending, kept only when it fits exactly one unit; longest first."""
    endings = sorted({e for k, v in rules.suffixes.items() for e in (k, *v)} if rules else {"局"}, key=len,
                     reverse=True)
    owners: dict[str, set[str]] = {}
    for alias, canon in names.items():
        ending = next((e for e in endings if alias.endswith(e) and len(alias) - len(e) >= 2), None)
        if ending:
            owners.setdefault(alias[: -len(ending)], set()).add(canon)
    stems = [(st, next(iter(us))) for st, us in owners.items() if len(us) == 1 and st not in names]
    return sorted(stems, key=lambda kv: -len(kv[0]))


def section_by_paraphrase(section_names: dict[int, str], phrase: str) -> int | None:
    """The section whose name shares clearly the most characters with `phrase` (医疗和教育帮扶 ~ 医教帮扶提效行动)."""
    # the programme's own name (东西部协作) is in every part's context: its characters tell no part apart
    scores = sorted(((len((set(name.removesuffix("行动")) & set(phrase)) - set("东西部协作")), number)
                     for number, name in section_names.items()), reverse=True)
    best = scores[0][0] if scores else 0
    # three shared characters, or two that are half of a short phrase (医疗教育), and two ahead of the next name
    if not (best >= 3 or (best >= 2 and 2 * best >= len(phrase))) or (len(scores) > 1 and best - scores[1][0] < 2):
        return None
    return scores[0][1]
