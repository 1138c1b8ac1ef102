// The node kinds to add: drag one onto the canvas, or press it (click or Enter) to add it at the centre.
import { Typography } from 'antd'
import { memo } from 'react'
import type { EditorWorkflowQuery } from '../../../gql/graphql'

export type NodeKind = EditorWorkflowQuery['nodeKinds'][number]
/** The drag-and-drop data type carrying a kind. */
export const DRAG_TYPE = 'application/x-flowloom-kind'

function PaletteInner({ kinds, disabled, onAdd }: { kinds: NodeKind[]; disabled: boolean; onAdd: (kind: string) => void }) {
  return (
    <aside className="editor-palette" aria-label="Node palette">
      <Typography.Text strong className="editor-section-title">
        Nodes
      </Typography.Text>
      <ul className="editor-palette-list">
        {kinds.map((kind) => (
          <li key={kind.kind}>
            <button
              type="button"
              className="editor-palette-item"
              disabled={disabled}
              draggable={!disabled}
              aria-label={`Add ${kind.title}`}
              aria-description={kind.description}
              title={kind.description}
              onDragStart={(event) => {
                event.dataTransfer.setData(DRAG_TYPE, kind.kind)
                event.dataTransfer.effectAllowed = 'move'
              }}
              onClick={() => onAdd(kind.kind)}
            >
              <span className="editor-palette-title">{kind.title}</span>
              <span className="editor-palette-description">{kind.description}</span>
            </button>
          </li>
        ))}
      </ul>
    </aside>
  )
}

export const Palette = memo(PaletteInner)
