// Counts in command output: "1 file", "2 files".

/** Returns `count` followed by `noun`, or by `pluralNoun` (default `noun` + "s") unless the count is 1. */
export function countOf(count: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 ? noun : pluralNoun}`;
}
