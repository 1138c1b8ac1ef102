// Validation as you edit: the definition goes to `validateWorkflow` 400 ms after the last change; an
// answer to an older definition is dropped. First paint never waits for it.
import { useMutation } from '@apollo/client/react'
import { useEffect, useRef, useState } from 'react'
import { ValidateWorkflowDocument } from '../../../gql/graphql'
import type { Definition } from '../flow'
import type { ProblemLike } from '../problems'

export const VALIDATE_DELAY_MS = 400

export function useValidation(definition: Definition) {
  const [validate] = useMutation(ValidateWorkflowDocument)
  const [problems, setProblems] = useState<ProblemLike[]>([])
  const [checking, setChecking] = useState(false)
  const [failed, setFailed] = useState(false)
  const latest = useRef(0)
  useEffect(() => {
    const ticket = ++latest.current
    const timer = window.setTimeout(() => {
      setChecking(true)
      validate({ variables: { definition } })
        .then(({ data }) => {
          if (ticket !== latest.current) return
          setProblems(data?.validateWorkflow.problems ?? [])
          setFailed(false)
        })
        .catch(() => {
          if (ticket === latest.current) setFailed(true)
        })
        .finally(() => {
          if (ticket === latest.current) setChecking(false)
        })
    }, VALIDATE_DELAY_MS)
    return () => window.clearTimeout(timer)
  }, [definition, validate])
  return { problems, setProblems, checking, failed }
}
