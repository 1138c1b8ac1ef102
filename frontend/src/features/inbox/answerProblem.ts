// Why the server refused an answer to a human task, in words: the Inbox and the run view show the same.
import type { SubmitHumanInputMutation } from '../../gql/graphql'
import type { AnswerProblem } from './components/TaskCard'

/** Why an answer was refused (the schema's complaints listed), or null when the run took it. */
export function answerProblem(result: SubmitHumanInputMutation['submitHumanInput']): AnswerProblem | null {
  switch (result.__typename) {
    case 'Run':
      return null
    case 'InvalidHumanInput':
      return { title: `The answer does not fit the question: ${result.message}`, details: result.errors }
    case 'NoOpenTask':
      return { title: `This task is no longer open: ${result.message}`, details: [] }
    case 'NotFound':
      return { title: `The run is gone: ${result.message}`, details: [] }
  }
}
