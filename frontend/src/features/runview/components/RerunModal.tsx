import { Alert, Input, Modal, Typography } from 'antd'
import { useState } from 'react'
import type { AnswerProblem } from '../../inbox/components/TaskCard'

/** The input for a rerun from one node, edited as JSON (prefilled with the node's recorded input). */
export function RerunModal({
  nodeLabel,
  input,
  busy,
  problem,
  onRerun,
  onClose,
}: {
  nodeLabel: string
  input: unknown
  busy: boolean
  problem: AnswerProblem | null
  onRerun: (input: unknown) => void
  onClose: () => void
}) {
  const [text, setText] = useState(() => JSON.stringify(input ?? null, null, 2))
  const [parseError, setParseError] = useState<string | null>(null)

  function submit() {
    try {
      const value: unknown = JSON.parse(text)
      setParseError(null)
      onRerun(value)
    } catch (error) {
      setParseError(`The input is not JSON: ${error instanceof Error ? error.message : String(error)}`)
    }
  }

  return (
    <Modal
      open
      title={`Rerun from “${nodeLabel}”`}
      okText="Rerun"
      onOk={submit}
      onCancel={onClose}
      confirmLoading={busy}
      destroyOnHidden
    >
      <Typography.Paragraph type="secondary">
        A new run of the same version: what comes before this node is reused, this node runs with the input below,
        and everything after it runs afresh.
      </Typography.Paragraph>
      <Input.TextArea
        aria-label="Node input (JSON)"
        value={text}
        rows={10}
        spellCheck={false}
        className="run-rerun__input"
        onChange={(event) => setText(event.target.value)}
        status={parseError ? 'error' : undefined}
      />
      {parseError ? <Alert type="error" role="alert" title={parseError} className="run-panel__alert" /> : null}
      {problem ? (
        <Alert
          type="error"
          role="alert"
          className="run-panel__alert"
          title={problem.title}
          description={
            problem.details.length > 0 ? (
              <ul aria-label="Problems">
                {problem.details.map((detail) => (
                  <li key={detail}>{detail}</li>
                ))}
              </ul>
            ) : undefined
          }
        />
      ) : null}
    </Modal>
  )
}
