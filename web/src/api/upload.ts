import { ApiError, errorFromBody, requestHeaders } from './http'
import type { FileRef } from './types'

// Uploads with XMLHttpRequest, so the progress can be shown (fetch cannot),
// with the same headers and errors as the typed client (`client.ts`).

/**
 * Uploads one file to `POST /api/v1/files` (multipart part `file`) with
 * XMLHttpRequest so the progress can be shown. `query` says where it goes:
 * `{ assignment_id }` for a hand-in (the assignment's limits apply),
 * `{ lesson_id }` for a lesson attachment. Resolves with the stored file.
 */
export function uploadFile(file: File, onProgress: (fraction: number) => void, query: Record<string, string> = {}): Promise<FileRef> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    const qs = new URLSearchParams(query).toString()
    xhr.open('POST', `/api/v1/files${qs ? `?${qs}` : ''}`)
    for (const [k, v] of Object.entries(requestHeaders('POST', document.cookie, false))) xhr.setRequestHeader(k, v)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total)
    }
    xhr.onload = () => {
      let body: unknown
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        body = undefined
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1)
        resolve(body as FileRef)
      } else reject(errorFromBody(xhr.status, body))
    }
    xhr.onerror = () => reject(new ApiError(0, 'network', 'network error'))
    const form = new FormData()
    form.append('file', file)
    xhr.send(form)
  })
}

/** The answer to `sendFile`: its body as text and its content type. */
export interface SentFile {
  text: string
  type: string
}

/**
 * Sends a file as the raw request body of `POST /api/v1{path}` (e.g. a CSV
 * import) with XMLHttpRequest, reporting the upload's progress (0..1).
 * Resolves with the answer's text; rejects with the API error.
 */
export function sendFile(path: string, file: Blob, contentType: string, onProgress: (fraction: number) => void = () => {}): Promise<SentFile> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest()
    xhr.open('POST', `/api/v1${path}`)
    for (const [k, v] of Object.entries(requestHeaders('POST', document.cookie, false))) xhr.setRequestHeader(k, v)
    xhr.setRequestHeader('Content-Type', contentType)
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) onProgress(e.loaded / e.total)
    }
    xhr.upload.onload = () => onProgress(1)
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1)
        resolve({ text: xhr.responseText, type: xhr.getResponseHeader('Content-Type') ?? '' })
        return
      }
      let body: unknown
      try {
        body = JSON.parse(xhr.responseText)
      } catch {
        body = undefined
      }
      reject(errorFromBody(xhr.status, body))
    }
    xhr.onerror = () => reject(new ApiError(0, 'network', 'network error'))
    xhr.send(file)
  })
}
