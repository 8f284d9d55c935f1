/**
 * Per-fd tables for drivers, indexed by the fd itself. The kernel hands out the lowest free fd,
 * so a process's fds are dense small integers and an array indexed by them costs one slot per fd
 * (8 bytes; 1 byte in {@link FdSet}), where a `Map`/`Set` entry costs 33–46 bytes with its hash
 * table's slack — per idle connection, for each table a driver keeps one in.
 * @module
 */

/** A map from fd to `V`. Iteration is in fd order, not insertion order. */
export class FdMap<V> {
  // INVARIANT: packed (no holes): grown by push, so V8 keeps it a plain array of pointers.
  #slots: (V | undefined)[] = [];
  #size = 0;

  /** Entries in the map. */
  get size(): number {
    return this.#size;
  }

  get(fd: number): V | undefined {
    return this.#slots[fd];
  }

  /** `v` for `fd`. `fd` is a non-negative integer (a kernel fd). */
  set(fd: number, v: V): this {
    const slots = this.#slots;
    while (slots.length <= fd) slots.push(undefined);
    if (slots[fd] === undefined) this.#size++;
    slots[fd] = v;
    return this;
  }

  /** True when `fd` had an entry. */
  delete(fd: number): boolean {
    const slots = this.#slots;
    if (slots[fd] === undefined) return false;
    slots[fd] = undefined;
    this.#size--;
    return true;
  }

  /** The values, in fd order (deleting while iterating is allowed). */
  *values(): IterableIterator<V> {
    const slots = this.#slots;
    for (let fd = 0; fd < slots.length; fd++) {
      const v = slots[fd];
      if (v !== undefined) yield v;
    }
  }
}

/** A set of fds, one byte per fd up to the largest. */
export class FdSet {
  #bits = new Uint8Array(64);

  has(fd: number): boolean {
    return fd < this.#bits.length && this.#bits[fd] === 1;
  }

  /** `fd` is a non-negative integer (a kernel fd). */
  add(fd: number): this {
    if (fd >= this.#bits.length) {
      let n = this.#bits.length * 2;
      while (n <= fd) n *= 2;
      const grown = new Uint8Array(n);
      grown.set(this.#bits);
      this.#bits = grown;
    }
    this.#bits[fd] = 1;
    return this;
  }

  delete(fd: number): boolean {
    if (!this.has(fd)) return false;
    this.#bits[fd] = 0;
    return true;
  }
}
