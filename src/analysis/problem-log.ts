const MAX_LISTED_PROBLEMS = 20;

/** Collects problems, keeping the list short when a broken trace repeats one many times. */
export class ProblemLog {
  readonly #lines: string[] = [];
  readonly #counts = new Map<string, number>();

  add(category: string, line: string): void {
    const count = (this.#counts.get(category) ?? 0) + 1;
    this.#counts.set(category, count);
    if (count <= MAX_LISTED_PROBLEMS) this.#lines.push(line);
  }

  lines(): string[] {
    const extra = [...this.#counts].filter(([, count]) => count > MAX_LISTED_PROBLEMS);
    return [
      ...this.#lines,
      ...extra.map(([category, count]) => `${count - MAX_LISTED_PROBLEMS} more: ${category}`),
    ];
  }
}
