import { RunNode } from './RunNode'

/** Module-level, so React Flow never sees a new map and never remounts the nodes. */
export const nodeTypes = { run: RunNode }
