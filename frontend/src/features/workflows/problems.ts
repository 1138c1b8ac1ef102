import type { ProblemFieldsFragment } from '../../gql/graphql'

/** Where a problem is, in words: the node it concerns and the place in the definition. */
export function problemPlace(problem: ProblemFieldsFragment): string {
  const parts: string[] = []
  if (problem.nodeId) parts.push(`node “${problem.nodeId}”`)
  if (problem.path) parts.push(problem.path === 'name' ? 'the name' : `at ${problem.path}`)
  return parts.join(', ')
}

/** A server message ("the name must not be blank") as a sentence. */
export function sentence(text: string): string {
  return text ? text.charAt(0).toUpperCase() + text.slice(1) : text
}
