/**
 * A growable FIFO of (a, b) integer pairs on typed arrays: the driver's queue of SQEs still to
 * write (ops waiting for room in the SQ, and cancels). Pushing and shifting allocate nothing
 * until it grows.
 * @module
 */
export class Fifo {
  #a: Int32Array;
  #b: Int32Array;
  #head = 0;
  #size = 0;
  #mask: number;

  constructor(capacity = 256) {
    const n = 1 << Math.ceil(Math.log2(Math.max(2, capacity)));
    this.#a = new Int32Array(n);
    this.#b = new Int32Array(n);
    this.#mask = n - 1;
  }

  get size(): number {
    return this.#size;
  }

  push(a: number, b: number): void {
    if (this.#size === this.#a.length) this.#grow();
    const i = (this.#head + this.#size) & this.#mask;
    this.#a[i] = a;
    this.#b[i] = b;
    this.#size++;
  }

  /** First element's `a`; the queue must not be empty. */
  peekA(): number {
    return this.#a[this.#head]!; // #head is masked into range
  }

  /** First element's `b`; the queue must not be empty. */
  peekB(): number {
    return this.#b[this.#head]!; // #head is masked into range
  }

  /** Drop the first element. */
  shift(): void {
    this.#head = (this.#head + 1) & this.#mask;
    this.#size--;
  }

  #grow(): void {
    const n = this.#a.length * 2;
    const a = new Int32Array(n);
    const b = new Int32Array(n);
    for (let k = 0; k < this.#size; k++) {
      const i = (this.#head + k) & this.#mask;
      a[k] = this.#a[i]!;
      b[k] = this.#b[i]!;
    }
    this.#a = a;
    this.#b = b;
    this.#head = 0;
    this.#mask = n - 1;
  }
}
