/**
 * before:/after:/on: as create_at ranges. Days are the caller's: `time_zone_offset` is seconds
 * east of UTC (Mattermost's web client sends its UTC offset in minutes × 60). As in Mattermost,
 * after:D starts with the day after D and before:D ends with the day before D.
 */
import type { DateFilter } from './parse-terms.js';

const DAY_MS = 86_400_000;

/** Milliseconds, `from` inclusive, `to` exclusive; an absent end is open. */
export interface TimeRange {
  from?: number;
  to?: number;
}

export interface CreateAtBounds {
  /** Every included date filter, intersected; undefined when none applies. */
  include: TimeRange | undefined;
  exclude: TimeRange[];
}

function startOfDay(filter: DateFilter, timeZoneOffsetSeconds: number): number {
  return Date.UTC(filter.year, filter.month - 1, filter.day) - timeZoneOffsetSeconds * 1000;
}

function rangeOf(filter: DateFilter, timeZoneOffsetSeconds: number): TimeRange {
  const start = startOfDay(filter, timeZoneOffsetSeconds);
  switch (filter.flag) {
    case 'on':
      return { from: start, to: start + DAY_MS };
    case 'after':
      return { from: start + DAY_MS };
    case 'before':
      return { to: start };
  }
}

function intersect(a: TimeRange, b: TimeRange): TimeRange {
  const out: TimeRange = {};
  const from = Math.max(a.from ?? -Infinity, b.from ?? -Infinity);
  const to = Math.min(a.to ?? Infinity, b.to ?? Infinity);
  if (Number.isFinite(from)) out.from = from;
  if (Number.isFinite(to)) out.to = to;
  return out;
}

export function createAtBounds(dates: readonly DateFilter[], timeZoneOffsetSeconds: number): CreateAtBounds {
  let include: TimeRange | undefined;
  const exclude: TimeRange[] = [];
  for (const filter of dates) {
    const range = rangeOf(filter, timeZoneOffsetSeconds);
    if (filter.exclude) exclude.push(range);
    else include = include ? intersect(include, range) : range;
  }
  return { include, exclude };
}

/** True when no create_at can fall inside the range. */
export function isEmptyRange(range: TimeRange): boolean {
  return range.from !== undefined && range.to !== undefined && range.from >= range.to;
}
