// A page's code in its own chunk, rendered without Suspense. A `lazy` component suspends on its first
// render even when its chunk is already in, and React then holds the content back for up to 300 ms
// after the fallback appeared (its reveal throttle): on a cold editor URL, where the chunk and the
// data arrive within a few milliseconds of each other, that throttle was most of a second's delay.
// Here the page renders its own placeholder while `useChunk` says null, and the code the moment it is in.
import { useEffect, useState } from 'react'

/** One chunk's loader: `start` begins the download (once), `loaded` is the value once it is in. */
export interface Chunk<T> {
  start: () => Promise<T>
  loaded: () => T | null
}

/** A chunk loaded by `load` (an `import()`), not fetched before `start` or the first `useChunk`. */
export function chunk<T>(load: () => Promise<T>): Chunk<T> {
  let value: T | null = null
  let pending: Promise<T> | null = null
  return {
    start: () =>
      (pending ??= load().then((loaded) => {
        value = loaded
        return loaded
      })),
    loaded: () => value,
  }
}

/** The chunk's value once it is in (null until then), or the error that stopped its download. */
export function useChunk<T>(source: Chunk<T>): { value: T | null; error: Error | null } {
  const [state, setState] = useState<{ value: T | null; error: Error | null }>(() => ({ value: source.loaded(), error: null }))
  useEffect(() => {
    if (state.value !== null || state.error !== null) return
    let live = true
    source.start().then(
      (value) => {
        if (live) setState({ value, error: null })
      },
      (error: unknown) => {
        // a failed import() is not retried by the browser: the page offers a reload
        if (live) setState({ value: null, error: error instanceof Error ? error : new Error(String(error)) })
      },
    )
    return () => {
      live = false
    }
  }, [source, state])
  return state
}
