import { Tabs, Typography } from 'antd'
import { memo } from 'react'
import { JsonView } from '../../../components/JsonView'
import type { AnswerProblem } from '../../inbox/components/TaskCard'
import type { GraphNode } from '../graph'
import type { LoggedEvent, NodeView, TimelineEntry } from '../runState'
import { EventLog } from './EventLog'
import { NodePanel } from './NodePanel'
import { Timeline } from './Timeline'

/**
 * The side panel's tabs: the selected node, the timeline, the event log, the run's inputs and output.
 * Memoised, and given a tab's changing list only while that tab shows: a live run re-renders the
 * panel only when what it shows changed.
 */
export const SidePanel = memo(function SidePanel({
  tab,
  onTab,
  node,
  view,
  canAct,
  answering,
  answerProblem,
  onAnswer,
  onRerun,
  timeline,
  seen,
  labels,
  selectedId,
  onSelect,
  inputs,
  output,
}: {
  tab: string
  onTab: (tab: string) => void
  node: GraphNode | undefined
  view: NodeView | undefined
  canAct: boolean
  answering: boolean
  answerProblem: AnswerProblem | null
  onAnswer: (nodeId: string, answer: unknown) => void
  onRerun: (nodeId: string) => void
  timeline: readonly TimelineEntry[]
  seen: readonly LoggedEvent[]
  labels: ReadonlyMap<string, string>
  selectedId: string | null
  onSelect: (nodeId: string) => void
  inputs: unknown
  output: unknown
}) {
  return (
    <Tabs
      activeKey={tab}
      onChange={onTab}
      destroyOnHidden
      items={[
        {
          key: 'node',
          label: 'Node',
          children: (
            <NodePanel
              node={node}
              view={view}
              canAct={canAct}
              answering={answering}
              answerProblem={answerProblem}
              onAnswer={onAnswer}
              onRerun={onRerun}
            />
          ),
        },
        {
          key: 'timeline',
          label: 'Timeline',
          children: <Timeline entries={timeline} labels={labels} selectedId={selectedId} onSelect={onSelect} />,
        },
        { key: 'events', label: 'Events', children: <EventLog seen={seen} /> },
        {
          key: 'run',
          label: 'Inputs and output',
          children: (
            <div className="run-panel">
              <Typography.Title level={5}>Run inputs</Typography.Title>
              <JsonView label="Run inputs" value={inputs ?? null} />
              <Typography.Title level={5}>Run output</Typography.Title>
              <JsonView label="Run output" value={output ?? null} />
            </div>
          ),
        },
      ]}
    />
  )
})
