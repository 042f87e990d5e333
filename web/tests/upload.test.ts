import { describe, it, expect, vi, afterEach } from 'vitest'
import { uploadFile } from '../src/api/upload'
import { ApiError } from '../src/api/http'

class FakeXhr {
  static last: FakeXhr
  headers: Record<string, string> = {}
  method = ''
  url = ''
  body: unknown
  status = 0
  responseText = ''
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null }
  onload: (() => void) | null = null
  onerror: (() => void) | null = null
  constructor() { FakeXhr.last = this }
  open(m: string, u: string) { this.method = m; this.url = u }
  setRequestHeader(k: string, v: string) { this.headers[k] = v }
  send(b: unknown) { this.body = b }
}

afterEach(() => vi.unstubAllGlobals())

describe('file upload with progress', () => {
  it('posts multipart `file` with the CSRF header and reports progress', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr)
    document.cookie = 'lms_csrf=tok'
    const seen: number[] = []
    const p = uploadFile(new File(['abc'], 'a.txt'), (f) => seen.push(f))
    const x = FakeXhr.last
    expect(x.method).toBe('POST')
    expect(x.url).toBe('/api/v1/files')
    expect(x.headers['X-CSRF-Token']).toBe('tok')
    expect((x.body as FormData).get('file')).toBeInstanceOf(File)
    x.upload.onprogress!({ lengthComputable: true, loaded: 50, total: 200 })
    x.status = 201
    x.responseText = '{"id":"f1","name":"a.txt"}'
    x.onload!()
    await expect(p).resolves.toEqual({ id: 'f1', name: 'a.txt' })
    expect(seen).toEqual([0.25, 1])
  })
  it('rejects with the API error', async () => {
    vi.stubGlobal('XMLHttpRequest', FakeXhr)
    const p = uploadFile(new File(['abc'], 'a.exe'), () => {})
    const x = FakeXhr.last
    x.status = 415
    x.responseText = '{"error":{"code":"file_type_not_allowed","message":"no exe"}}'
    x.onload!()
    await expect(p).rejects.toMatchObject({ status: 415, code: 'file_type_not_allowed' })
    await expect(p).rejects.toBeInstanceOf(ApiError)
  })
})
