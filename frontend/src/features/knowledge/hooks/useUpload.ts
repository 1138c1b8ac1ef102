import { useApolloClient } from '@apollo/client/react'
import { useCallback, useState } from 'react'
import { useParams } from 'react-router'
import { scopeOf, type ClientScope } from '../../../app/apollo'
import { useSession } from '../../../app/sessionContext'
import type { KnownDocument } from '../progress'
import { refusedFiles, sentence, type RefusedFile } from '../knowledge'
import { uploadDocuments } from '../api/upload'

/** What the last upload came to, for the page to show. */
export interface UploadReport {
  added: number
  refused: RefusedFile[]
  /** Why nothing was added (an error of the whole request), or null. */
  error: string | null
}

/**
 * Uploads files to a collection with the workspace client's own scope (CSRF token, workspace,
 * session-change callback), and reports what was added and refused.
 */
export function useUpload(collectionId: string, onAdded: (documents: readonly KnownDocument[]) => void) {
  const client = useApolloClient()
  const { session, refresh } = useSession()
  const { workspace = '' } = useParams()
  const [uploading, setUploading] = useState(false)
  const [report, setReport] = useState<UploadReport | null>(null)

  const upload = useCallback(
    async (files: readonly File[]): Promise<UploadReport> => {
      // the client made by the workspace layout knows its scope; a test's client falls back on the session
      const scope: ClientScope = scopeOf(client) ?? {
        csrfToken: session?.csrfToken ?? '',
        workspace,
        onSessionChanged: () => void refresh(),
      }
      setUploading(true)
      let next: UploadReport
      try {
        const outcome = await uploadDocuments(scope, { collectionId }, files)
        if (!outcome.ok) {
          next = { added: 0, refused: [], error: `${sentence(outcome.message)}${outcome.code ? ` (${outcome.code})` : ''}` }
        } else if (outcome.result.__typename === 'AddedDocuments') {
          onAdded(outcome.result.documents)
          next = { added: outcome.result.documents.length, refused: refusedFiles(outcome.result.refused, files), error: null }
        } else if (outcome.result.__typename === 'InvalidKnowledge') {
          next = { added: 0, refused: [], error: outcome.result.problems.map((problem) => sentence(problem.message)).join(' ') }
        } else {
          next = { added: 0, refused: [], error: sentence(outcome.result.message) }
        }
      } catch (failure) {
        next = { added: 0, refused: [], error: failure instanceof Error ? failure.message : String(failure) }
      } finally {
        setUploading(false)
      }
      setReport(next)
      return next
    },
    [client, collectionId, onAdded, refresh, session, workspace],
  )

  return { upload, uploading, report, dismiss: () => setReport(null) }
}
