import { describe, it, expect, vi, beforeEach } from 'vitest'
import { mount, flushPromises } from '@vue/test-utils'
import Quill from 'quill'

// The upload goes to the server; here it answers with a file ref, or fails.
const uploadFile = vi.fn()
vi.mock('../src/api', async (orig) => ({ ...(await orig<typeof import('../src/api')>()), uploadFile: (...a: unknown[]) => uploadFile(...a) }))
import { i18n, setLocale } from '../src/i18n'
import { toasts, clearToasts } from '../src/lib/toast'
import { ApiError } from '../src/api'
import RichEditor from '../src/components/RichEditor.vue'

type Uploader = { upload: (range: { index: number; length: number }, files: File[]) => void }

function editorOf(root: Element): Quill & { uploader: Uploader } {
  return Quill.find(root.querySelector('.ql-container')!) as Quill & { uploader: Uploader }
}

const png = (name: string) => new File([new Uint8Array([137, 80, 78, 71])], name, { type: 'image/png' })

beforeEach(() => {
  setLocale('ru')
  uploadFile.mockReset()
  clearToasts()
})

describe('a pasted or dropped screenshot is uploaded, not kept as a data: URL (#17)', () => {
  it('uploads it as a draft of a new text and shows it from the server', async () => {
    uploadFile.mockResolvedValue({ id: '0b5f7c7e-8a7e-4b8e-9d7a-1c2b3c4d5e6f', name: 'Снимок экрана.png' })
    const w = mount(RichEditor, { props: { modelValue: '' }, global: { plugins: [i18n] }, attachTo: document.body })
    await flushPromises()
    // What Quill's clipboard does with files pasted without HTML, and with a drop.
    editorOf(w.element).uploader.upload({ index: 0, length: 0 }, [png('Снимок экрана.png'), new File(['x'], 'a.txt', { type: 'text/plain' })])
    await flushPromises()
    expect(uploadFile).toHaveBeenCalledTimes(1)
    expect(uploadFile.mock.calls[0][2]).toEqual({})
    const saved = w.emitted('update:modelValue')!.at(-1)![0] as string
    expect(saved).toContain('src="/api/v1/files/0b5f7c7e-8a7e-4b8e-9d7a-1c2b3c4d5e6f"')
    expect(saved).not.toContain('data:')
    w.unmount()
  })
  it('goes to the saved object when the editor names it', async () => {
    uploadFile.mockResolvedValue({ id: '0b5f7c7e-8a7e-4b8e-9d7a-1c2b3c4d5e6f', name: 'a.png' })
    const w = mount(RichEditor, { props: { modelValue: '<p>x</p>', uploadQuery: { lesson_id: 'l1' } }, global: { plugins: [i18n] }, attachTo: document.body })
    await flushPromises()
    editorOf(w.element).uploader.upload({ index: 1, length: 0 }, [png('a.png')])
    await flushPromises()
    expect(uploadFile.mock.calls[0][2]).toEqual({ lesson_id: 'l1' })
    w.unmount()
  })
  it('says why when the upload is refused, and inserts nothing', async () => {
    uploadFile.mockRejectedValue(new ApiError(413, 'upload_quota_exceeded', 'quota'))
    const w = mount(RichEditor, { props: { modelValue: '<p>x</p>' }, global: { plugins: [i18n] }, attachTo: document.body })
    await flushPromises()
    editorOf(w.element).uploader.upload({ index: 1, length: 0 }, [png('a.png')])
    await flushPromises()
    expect(w.emitted('update:modelValue')).toBeUndefined()
    expect(toasts.map((t) => t.kind)).toEqual(['danger'])
    expect(toasts[0].text).not.toContain('upload_quota_exceeded')
    w.unmount()
  })
})
