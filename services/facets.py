"""The count next to each option of each filter: how many results the search gives once that option is chosen too
(a chosen option: how many it gives alone), services.search.SearchParams.with_option — for every option at once,
without running a search per option.

Everything is computed over one set of index rows: the search's candidates that pass the filters without counts
(text, score, hours…). Over them, each facet's choice is one mask, made once (services.engine.Search.narrowed); a
facet's counts are taken over the rows the other facets keep (its scope). Each count is a union: the results of
some base rows plus the rows of the scope holding a value. The values of every counted column lie side by side in
one matrix of bins made once per worker (Counted), so that one union counts every column at once: a search with no
option chosen needs two unions, each choice two more. The national remote tail, the same in every located search, is
counted once per worker too (measured on the national-size index, the ~160 options of the benchmark's searches: 2.7
ms instead of 4.0 column by column, and ~20 for a search per option).
"""

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from services.search import CATEGORIES, FACETS, REMOTE, THEMATIQUES_OF, TOUS_PUBLICS, effective_thematiques

NO_RANK = np.iinfo(np.int64).max
# The index column of each faceted parameter but the needs.
FACET_COLUMNS = {"publics": "publics", "types": "type", "frais": "frais", "modes_accueil": "modes_accueil"}
FACET_COLUMNS["sources"] = "source"
NEEDS = ("categories", "thematiques")
# The columns counted, side by side in one matrix of bins (Counted).
COUNTED = (*NEEDS, *FACET_COLUMNS.values())


@dataclass
class Counted:
    """The counted columns' values of every index row as one matrix of bins, made once per worker and data version:
    a search takes its rows from it once, and one bincount counts every column at once.

    Each column has its own range of bins: ``codes`` holds, per row and per position in the column's matrix, the
    bin of the value (the column's first bin + 1 + code; its first bin stands for no value); ``cells[column]`` is
    where the column lies in the matrix, ``bins[column]`` the bins of its values by code. The vocabularies of the
    schema's enums and of the sources are far below 65,535 values in all.

    The values of rows in duplicate groups are also kept apart, as (bin, row) pairs sorted by bin, duplicate group
    and structure rank: sorted once here rather than for each search."""

    codes: np.ndarray
    cells: dict[str, slice]
    bins: dict[str, slice]
    size: int  # bins in all
    pair_bins: np.ndarray
    pair_rows: np.ndarray
    # The national tail: services eligible everywhere and offered remotely, among every search's candidates (90 %
    # of a located search's rows). Per index row whether it is in it, how many rows it has, and the histogram of
    # their bins, with the rows in duplicate groups left out (key True: duplicates collapsed) or not. A union
    # counts the rows of the tail it leaves out, or the rows it takes, whichever are fewer.
    tail_bins: dict[bool, tuple[np.ndarray, int, np.ndarray]]
    everyone: np.ndarray  # per index row: open to everyone (tous-publics among its publics)
    selections: dict = field(default_factory=dict)

    @classmethod
    def of(cls, columns) -> "Counted":
        found = columns.derived.get("counted")
        if found is None:
            found = columns.derived["counted"] = cls.build(columns)
        return found

    @classmethod
    def build(cls, columns) -> "Counted":
        parts, cells, bins, width, start = [], {}, {}, 0, 0
        for column in COUNTED:
            matrix = columns.matrix(column)
            parts.append(matrix + (start + 1))
            cells[column] = slice(width, width + matrix.shape[1])
            bins[column] = slice(start + 1, start + 1 + len(columns.values[column]))
            width, start = width + matrix.shape[1], bins[column].stop
        codes = np.concatenate(parts, axis=1).astype(np.uint16)
        no_value = np.concatenate([np.full(cells[c].stop - cells[c].start, bins[c].start - 1) for c in COUNTED])
        grouped = np.flatnonzero(columns.duplicate_group >= 0)
        grouped_codes = codes[grouped]
        held = grouped_codes != no_value
        pair_bins, pair_rows = grouped_codes[held], np.repeat(grouped, codes.shape[1])[held.ravel()]
        order = np.lexsort((columns.structure_rank[pair_rows], columns.duplicate_group[pair_rows], pair_bins))
        tail = columns.national & columns.has_mode(REMOTE)
        tail_bins = {}
        for collapse in (True, False):
            plain = tail & (columns.duplicate_group < 0) if collapse else tail
            tail_bins[collapse] = (plain, np.count_nonzero(plain), np.bincount(codes[plain].ravel(), minlength=start))
        code = columns.vocabulary["publics"].get(TOUS_PUBLICS)
        everyone = (
            (columns.matrix("publics") == code).any(axis=1) if code is not None else np.zeros(columns.size, bool)
        )
        pairs = pair_bins[order].astype(np.intp), pair_rows[order]
        return cls(codes, cells, bins, start, *pairs, tail_bins, everyone)

    def selection(self, columns: tuple[str, ...]) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Where the columns lie in the matrix, and which bins are theirs (None: every column)."""
        if set(columns) == set(COUNTED):
            return None, None
        found = self.selections.get(columns)
        if found is None:
            cells = np.concatenate([np.arange(self.cells[c].start, self.cells[c].stop) for c in columns])
            theirs = np.zeros(self.size, dtype=bool)
            for column in columns:
                theirs[self.bins[column]] = True
            found = self.selections[columns] = (cells, theirs)
        return found


class FacetCounts:
    """For one search (services.engine.Search): the counts of every option of every facet.

    In a duplicate group, the rows shown are those of the best ranked structure among the rows kept: adding rows
    can bring a better structure (its rows replace the group's), one as good (its rows add up), or a worse one
    (nothing changes)."""

    def __init__(self, search):
        self.search = search
        self.columns = search.columns
        self.counted = Counted.of(self.columns)
        index, self.masks = search.narrowed
        self.rows = search.candidates.rows[index]
        size = len(self.rows)
        if search.params.collapse_duplicates:
            self.groups = self.columns.duplicate_group[self.rows]
        else:
            self.groups = np.full(size, -1, dtype=np.int32)
        self.grouped = self.groups >= 0
        self.ranks = self.columns.structure_rank[self.rows]
        self.nothing = np.zeros(size, dtype=bool)

    @cached_property
    def tail(self) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
        """The positions among the rows of the plain rows of the national tail, the other rows, and the tail's
        histogram (Counted.tail_bins); None unless every row of the tail is among the rows (text, hours or scores
        can leave some out)."""
        plain, size, histogram = self.counted.tail_bins[self.search.params.collapse_duplicates]
        in_tail = plain[self.rows]
        positions = np.flatnonzero(in_tail)
        if len(positions) != size:
            return None
        return positions, ~in_tail, histogram

    def plain_counts(self, plain: np.ndarray, cells: np.ndarray | None) -> np.ndarray:
        """Per bin, how many of the plain rows (a mask over the rows) hold its value: taken apart from the national
        tail's histogram when that means fewer rows to read (bins of other columns than ``cells``' are left
        wrong)."""
        tail = self.tail
        if tail is not None:
            positions, others, histogram = tail
            missing = positions[~plain[positions]]
            if 2 * len(missing) < len(positions):
                return (
                    histogram - self.histogram(missing, cells) + self.histogram(np.flatnonzero(plain & others), cells)
                )
        return self.histogram(np.flatnonzero(plain), cells)

    def histogram(self, positions: np.ndarray, cells: np.ndarray | None) -> np.ndarray:
        """Per bin, how many of the rows at these positions hold its value (bins of other columns than ``cells``'
        are left wrong). The rows' bins are read from Counted each time: most unions read a few rows besides the
        national tail."""
        held = self.counted.codes.take(self.rows.take(positions), axis=0)
        if cells is not None:
            held = held.take(cells, axis=1)
        return np.bincount(held.ravel(), minlength=self.counted.size)

    @cached_property
    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """The values of the rows in duplicate groups, as (bin, position among the rows) pairs sorted by bin, group
        and rank; none when duplicates are not collapsed."""
        if not self.search.params.collapse_duplicates:
            return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
        in_rows = np.zeros(self.columns.size, dtype=bool)
        in_rows[self.rows] = True
        among = np.flatnonzero(in_rows.take(self.counted.pair_rows))
        position = np.empty(self.columns.size, dtype=np.int32)  # read at the rows only
        position[self.rows] = np.arange(len(self.rows), dtype=np.int32)
        # take() rather than masks: ~80,000 pairs, three times faster.
        return self.counted.pair_bins.take(among), position.take(self.counted.pair_rows.take(among))

    def scope(self, facet: str) -> np.ndarray:
        """The rows every other facet's choice keeps."""
        keep = np.ones(len(self.rows), dtype=bool)
        for other, mask in self.masks.items():
            if other != facet and mask is not None:
                keep &= mask
        return keep

    def best_in_groups(self, base: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per duplicate group, the best rank among the base rows, and how many base rows have it."""
        if base is self.nothing:
            return self.none_shown
        group_count = self.columns.group_count
        best = np.full(group_count, NO_RANK, dtype=np.int64)
        in_base = np.flatnonzero(base & self.grouped)
        groups, ranks = self.groups[in_base], self.ranks[in_base]
        np.minimum.at(best, groups, ranks)
        shown = np.bincount(groups[ranks == best[groups]], minlength=group_count)
        return best, shown

    @cached_property
    def none_shown(self) -> tuple[np.ndarray, np.ndarray]:
        group_count = self.columns.group_count
        return np.full(group_count, NO_RANK, dtype=np.int64), np.zeros(group_count, dtype=np.intp)

    def total(self, base: np.ndarray) -> int:
        """How many results the base rows give (duplicate groups collapsed)."""
        _, shown = self.best_in_groups(base)
        return int(np.count_nonzero(base & ~self.grouped) + shown.sum())

    def union(self, scope: np.ndarray, base: np.ndarray, columns: tuple[str, ...]) -> np.ndarray:
        """Per bin of the columns (Counted.bins): the results of the base rows plus the rows of the scope holding
        that value."""
        cells, theirs = self.counted.selection(columns)
        best, shown = self.best_in_groups(base)
        counts = np.full(self.counted.size, np.count_nonzero(base & ~self.grouped) + int(shown.sum()), dtype=np.int64)
        outside = scope & ~base
        # Rows outside groups: each adds one to the values it holds.
        counts += self.plain_counts(outside & ~self.grouped, cells)
        bins, rows = self.pairs
        new = outside[rows]
        if theirs is not None:
            new &= theirs[bins]
        if not new.any():
            return counts
        # Per (value, group) of the new grouped rows (sorted so): the best rank and how many rows have it.
        bins, rows = bins[new], rows[new]
        groups, ranks = self.groups[rows], self.ranks[rows]
        first = np.ones(len(bins), dtype=bool)
        first[1:] = (bins[1:] != bins[:-1]) | (groups[1:] != groups[:-1])
        segment = np.cumsum(first) - 1
        segment_rank = ranks[first]
        rows_at_best = np.bincount(segment[ranks == segment_rank[segment]], minlength=len(segment_rank))
        segment_bin, segment_group = bins[first], groups[first]
        base_best = best[segment_group]
        delta = np.where(
            segment_rank < base_best,
            rows_at_best - shown[segment_group],  # a better structure replaces the group's rows
            np.where(segment_rank == base_best, rows_at_best, 0),
        )
        counts += np.bincount(segment_bin, weights=delta, minlength=self.counted.size).astype(np.int64)
        return counts

    @cached_property
    def free(self) -> np.ndarray:
        """The union of the facets nothing is chosen in (but publics, whose base differs): they share their scope,
        every choice made, and their base, no row; one union counts them all."""
        free = [facet for facet in FACETS if self.masks[facet] is None and facet != "publics"]
        columns = tuple(
            column for facet in free for column in (NEEDS if facet == "thematiques" else [FACET_COLUMNS[facet]])
        )
        return self.union(self.scope(None), self.nothing, columns)

    def all(self) -> dict[str, dict[str, int]]:
        params = self.search.params
        counts = {}
        for facet in FACETS:
            chosen = getattr(params, facet)
            if facet == "thematiques":
                counts[facet] = self.thematique_counts(chosen)
            else:
                counts[facet] = self.value_counts(facet, chosen)
        return counts

    @cached_property
    def with_everyone(self) -> np.ndarray:
        return self.counted.everyone.take(self.rows)

    def value_counts(self, facet: str, chosen) -> dict[str, int]:
        column = FACET_COLUMNS[facet]
        values, bins = self.columns.values[column], self.counted.bins[column]
        scope, match = self.scope(facet), self.masks[facet]
        # A value chosen alone: the rows of that value (with publics, those open to everyone too). Nothing chosen
        # yet: adding a value is choosing it alone.
        if facet == "publics":
            alone = self.union(scope, scope & self.with_everyone, (column,))
        else:
            alone = self.free if match is None else self.union(scope, self.nothing, (column,))
        unchosen = alone if match is None else self.union(scope, scope & match, (column,))
        alone, unchosen = alone[bins], unchosen[bins]
        everyone = self.total(scope) if facet == "publics" else 0
        counts = {}
        for code, value in enumerate(values):
            if facet == "publics" and (value == TOUS_PUBLICS or (TOUS_PUBLICS in chosen and value not in chosen)):
                counts[value] = everyone  # with tous-publics chosen, no publics filter
            else:
                counts[value] = int((alone if value in chosen else unchosen)[code])
        return counts

    def thematique_counts(self, chosen) -> dict[str, int]:
        """Needs: categories and thématiques share the parameter (services.search.effective_thematiques)."""
        scope, chosen = self.scope("thematiques"), set(chosen)
        current = scope & self.masks["thematiques"] if chosen else self.nothing
        alone = self.free if not chosen else self.union(scope, self.nothing, NEEDS)
        by_value = self.union(scope, current, NEEDS) if chosen else alone
        alone_category, by_category = alone[self.counted.bins["categories"]], by_value[self.counted.bins["categories"]]
        thematique_bins = self.counted.bins["thematiques"]
        alone_thematique, by_thematique = alone[thematique_bins], by_value[thematique_bins]
        current_total = self.total(current)
        category_code = self.columns.vocabulary["categories"]
        thematique_code = self.columns.vocabulary["thematiques"]
        counts = {}
        for category in CATEGORIES:
            code = category_code.get(category)
            if category in chosen:
                counts[category] = 0 if code is None else int(alone_category[code])
            elif chosen.intersection(THEMATIQUES_OF[category]):
                counts[category] = current_total  # its chosen sub-needs already narrow it
            else:
                counts[category] = current_total if code is None else int(by_category[code])
            children = THEMATIQUES_OF[category]
            narrowing = category in chosen and not chosen.intersection(children)
            if narrowing:
                # Choosing a sub-need of a chosen need narrows the need to it.
                rest = effective_thematiques(chosen - {category})
                without = scope & self.search.has_any("thematiques", rest, self.rows) if rest else self.nothing
                by_child = self.union(scope, without, ("thematiques",))[thematique_bins]
            for thematique in children:
                code = thematique_code.get(thematique)
                if thematique in chosen:
                    counts[thematique] = 0 if code is None else int(alone_thematique[code])
                elif narrowing:
                    counts[thematique] = 0 if code is None else int(by_child[code])
                else:
                    counts[thematique] = current_total if code is None else int(by_thematique[code])
        return counts
