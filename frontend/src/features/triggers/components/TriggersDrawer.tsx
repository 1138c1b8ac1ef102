// The editor's Triggers drawer: its own chunk, fetched when opened.
import { Drawer } from 'antd'
import { TriggersPanel } from './TriggersPanel'

export default function TriggersDrawer({ workflowId, canEdit, onClose }: { workflowId: string; canEdit: boolean; onClose: () => void }) {
  return (
    <Drawer title="Triggers" open onClose={onClose} size={640}>
      <TriggersPanel workflowId={workflowId} canEdit={canEdit} />
    </Drawer>
  )
}
