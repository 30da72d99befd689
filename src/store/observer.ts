import type { Adapter } from 'lowdb';

/**
 * A lowdb adapter around another that is told of each write before it starts, as json-server's
 * Observer is. Whoever writes through `Low.write()` (json-server, after changing the data itself)
 * is seen; the store's own checkpoints go to the inner adapter and are not.
 */
export class Observer<T> implements Adapter<T> {
  constructor(
    readonly adapter: Adapter<T>,
    readonly onWriteStart: () => void,
  ) {}

  read(): Promise<T | null> {
    return this.adapter.read();
  }

  write(data: T): Promise<void> {
    this.onWriteStart();
    return this.adapter.write(data);
  }
}
