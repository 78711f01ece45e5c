/** Pure helpers of the download: how to split what is left into range requests, and how far the file is whole. */

export interface ByteRange {
  /** First byte. */
  start: number;
  /** One past the last byte. */
  end: number;
}

/**
 * Splits [from, total) into at most `streams` contiguous ranges of at least `minRangeBytes` each
 * (one range when there is too little left to be worth more connections).
 */
export function splitRanges(from: number, total: number, streams: number, minRangeBytes: number): ByteRange[] {
  const left = total - from;
  if (left <= 0) return [];
  const count = Math.max(1, Math.min(Math.floor(streams), Math.floor(left / Math.max(1, minRangeBytes))));
  const size = Math.ceil(left / count);
  const ranges: ByteRange[] = [];
  for (let start = from; start < total; start += size) ranges.push({ start, end: Math.min(total, start + size) });
  return ranges;
}

/**
 * Bytes of the file that are whole from offset 0: `from` plus every range, in order, that has been
 * written completely, plus the written part of the first one that has not.
 */
export function contiguousPrefix(from: number, ranges: readonly ByteRange[], written: readonly number[]): number {
  let prefix = from;
  for (let index = 0; index < ranges.length; index++) {
    if (ranges[index].start !== prefix) return prefix;
    prefix = ranges[index].start + written[index];
    if (prefix < ranges[index].end) return prefix;
  }
  return prefix;
}

/** The `Range` header for one range request. */
export function rangeHeader(range: ByteRange): string {
  return `bytes=${range.start}-${range.end - 1}`;
}

/** Parses `Content-Range: bytes a-b/total`; null when it is not that shape. */
export function parseContentRange(header: string | undefined): { start: number; end: number; total: number | null } | null {
  const match = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(header ?? "");
  if (!match) return null;
  return { start: Number(match[1]), end: Number(match[2]) + 1, total: match[3] === "*" ? null : Number(match[3]) };
}
