// The JSON a route handler sends for a value: dates become ISO strings. Server pages hand their first paint to
// TanStack Query through toJson, so the cache holds one shape whether it came from the page or a refetch.
export type Json<T> = T extends Date
  ? string
  : T extends bigint
    ? never
    : T extends ReadonlyArray<infer U>
      ? Json<U>[]
      : T extends object
        ? { [K in keyof T]: Json<T[K]> }
        : T;

export const toJson = <T>(value: T): Json<T> => JSON.parse(JSON.stringify(value)) as Json<T>;
