// The typed problems of the run view's mutations, in words.
import type {
  CancelRunMutation,
  RerunFromNodeMutation,
  RetryRunMutation,
} from '../../gql/graphql'
import type { AnswerProblem } from '../inbox/components/TaskCard'

/** Why a cancel was refused, or null when the run took it. */
export function cancelProblem(result: CancelRunMutation['cancelRun']): string | null {
  switch (result.__typename) {
    case 'Run':
      return null
    case 'RunNotCancellable':
      return `The run cannot be cancelled: ${result.message}`
    case 'NotFound':
      return `The run is gone: ${result.message}`
  }
}

/** Why a retry was refused, or null when the run runs again. */
export function retryProblem(result: RetryRunMutation['retryRun']): string | null {
  switch (result.__typename) {
    case 'Run':
      return null
    case 'RunNotRetryable':
      return `The run cannot be retried: ${result.message}`
    case 'NotFound':
      return `The run is gone: ${result.message}`
  }
}

/** Why a rerun was refused, listing each problem of the input, or null when the new run started. */
export function rerunProblem(result: RerunFromNodeMutation['rerunFromNode']): AnswerProblem | null {
  switch (result.__typename) {
    case 'Run':
      return null
    case 'InvalidRunInputs':
      return {
        title: 'The input cannot be used.',
        details: result.problems.map((problem) => (problem.path ? `${problem.path}: ${problem.message}` : problem.message)),
      }
    case 'NotFound':
      return { title: `Nothing to rerun: ${result.message}`, details: [] }
  }
}
