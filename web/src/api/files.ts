// Files (tag `files`): uploads go through `upload.ts` (XMLHttpRequest, with
// progress); downloads are links.
import { API_PREFIX } from './client'

export const files = {
  /** The link of `GET /files/{id}` (a download, or an image in rich text). */
  url: (id: string) => `${API_PREFIX}/files/${encodeURIComponent(id)}`,
}
