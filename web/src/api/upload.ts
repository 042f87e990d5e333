import { ApiError, errorFromBody, requestHeaders } from './http'

/**
 * Uploads one file to `POST /api/v1/files` (multipart part `file`) with
 * XMLHttpRequest so the progress can be shown. `query` says where it goes:
 * `{ assignment_id }` for a hand-in (the assignment's limits apply),
 * `{ lesson_id }` for a lesson attachment.
 */
export function uploadFile(file: File, onProgress: (fraction: number) => void, query: Record<string, string> = {}): Promise<any> {
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
        resolve(body)
      } else reject(errorFromBody(xhr.status, body))
    }
    xhr.onerror = () => reject(new ApiError(0, 'network', 'network error'))
    const form = new FormData()
    form.append('file', file)
    xhr.send(form)
  })
}
