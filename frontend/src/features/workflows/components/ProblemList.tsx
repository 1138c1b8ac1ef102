import { Alert } from 'antd'
import type { ProblemFieldsFragment } from '../../../gql/graphql'
import { problemPlace, sentence } from '../problems'

/** The problems the server found in a workflow (`InvalidWorkflow`), one line each. */
export function ProblemList({ problems }: { problems: readonly ProblemFieldsFragment[] }) {
  if (problems.length === 0) return null
  return (
    <Alert
      type="error"
      role="alert"
      title={problems.length === 1 ? 'The workflow has a problem' : `The workflow has ${problems.length} problems`}
      description={
        <ul aria-label="Problems" style={{ margin: 0, paddingLeft: 20 }}>
          {problems.map((problem, index) => {
            const place = problemPlace(problem)
            return (
              <li key={`${problem.code}-${index}`}>
                {sentence(problem.message)}
                {place ? ` (${place})` : ''}
              </li>
            )
          })}
        </ul>
      }
    />
  )
}
