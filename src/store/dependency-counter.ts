import type { DependencyLink } from '../query/span-reader.ts';

/** Tallies service-to-service calls; shared by stores that compute dependencies in process. */
export class DependencyCounter {
  readonly #links = new Map<
    string,
    { parent: string; child: string; calls: number; errors: number }
  >();

  add(parent: string, child: string, isError: boolean): void {
    const key = `${parent}\u0000${child}`;
    let link = this.#links.get(key);
    if (!link) {
      link = { parent, child, calls: 0, errors: 0 };
      this.#links.set(key, link);
    }
    link.calls++;
    if (isError) link.errors++;
  }

  links(): DependencyLink[] {
    return [...this.#links.values()]
      .map((l) => ({ parent: l.parent, child: l.child, callCount: l.calls, errorCount: l.errors }))
      .sort((a, b) => a.parent.localeCompare(b.parent) || a.child.localeCompare(b.child));
  }
}
