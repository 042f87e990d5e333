// The conversation about a submission (CommentThread.vue): the messages as a
// chat (own ones apart), how many are new and marking them read, writing a
// message (it appears at once; errors in words), files attached to a
// message (uploaded as drafts at once, chips, sent with the message, shown
// as links), axe-core; the thread on the staff submission page and, once
// there is a submission, on the student's assignment page.
import { describe, it, expect, beforeEach, afterEach, vi } from 'vitest'
vi.mock('../src/api/upload', async (orig) => ({ ...(await orig<typeof import('../src/api/upload')>()), uploadFile: vi.fn() }))
import { mount, flushPromises, RouterLinkStub, type VueWrapper } from '@vue/test-utils'
import axe from 'axe-core'

import { fakeApi } from './fake-api'
import { ApiError } from '../src/api/http'
import type { CommentThread as Thread, FileRef, SubmissionComment } from '../src/api/types'
import { uploadFile } from '../src/api/upload'
import { clearToasts, toasts } from '../src/lib/toast'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import CommentThread from '../src/components/CommentThread.vue'
import RichEditor from '../src/components/RichEditor.vue'
import Assignment from '../src/views/Assignment.vue'
import Submission from '../src/views/Submission.vue'

const api = fakeApi()

const text = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ').replace(/\s+/g, ' ').trim()
const student: User = { id: 'u1', email: 's@x.test', display_name: 'Ирина Петрова', role: 'student', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' }
const teacher: User = { ...student, id: 't1', email: 't@x.test', display_name: 'Олег Иванов', role: 'teacher' }

const comment = (id: string, author: User, body: string, at: string, files: FileRef[] = []): SubmissionComment => ({
  id, submission_id: 's1', author_id: author.id, author_name: author.display_name, body, created_at: at, files,
})
const stored = (id: string, name: string, size: number): FileRef => ({
  id, name, size, content_type: 'application/pdf', storage_key: `k/${id}`, uploaded_at: '2026-03-05T12:00:00Z', uploaded_by: 'u1',
})
const c1 = comment('c1', student, '<p>Почему минус?</p>', '2026-03-05T10:00:00Z')
const c2 = comment('c2', teacher, '<p>Посмотрите <b>второй</b> корень.</p>', '2026-03-05T11:30:00Z')
const c3 = comment('c3', teacher, '<p>И проверьте знак.</p>', '2026-03-05T11:31:00Z')

let thread: Thread
/** The fake server: the thread of s1, posting appends, reading clears `unread`. */
function serve(t: Thread) {
  thread = structuredClone(t)
  api.get.mockImplementation(async (p: string) => {
    if (p === '/submissions/s1/comments') return structuredClone(thread)
    throw new Error(`unexpected GET ${p}`)
  })
  api.post.mockImplementation(async (p: string, body?: unknown) => {
    if (p === '/submissions/s1/comments/read') {
      thread.unread = 0
      thread.read_at = '2026-03-05T12:00:00Z'
      return undefined
    }
    if (p === '/submissions/s1/comments') {
      const { body: html, file_ids } = body as { body: string; file_ids: string[] }
      if (!html.replace(/<[^>]*>/g, '').trim() && !file_ids.length) throw new ApiError(422, 'empty_comment', 'body: write something')
      const files = file_ids.map((id) => stored(id, `${id}.pdf`, 2048))
      const c = comment(`n${thread.comments.length}`, session.user!, html, '2026-03-05T12:05:00Z', files)
      thread.comments.push(c)
      return c
    }
    throw new Error(`unexpected POST ${p}`)
  })
}
const posts = (p: string) => api.post.mock.calls.filter(([x]) => x === p)

let w: VueWrapper | null = null
async function open(stubEditor = true, staff = false) {
  const stubs = stubEditor ? { RichEditor: true } : {}
  w = mount(CommentThread, { props: { submissionId: 's1', staff }, global: { plugins: [i18n], stubs }, attachTo: document.body })
  await flushPromises()
  return w
}
async function write(t: VueWrapper, html: string) {
  t.findComponent(RichEditor).vm.$emit('update:modelValue', html)
  await flushPromises()
}

beforeEach(() => {
  api.reset()
  vi.mocked(uploadFile).mockReset()
  clearToasts()
  setLocale('ru')
  session.checked = true
  session.user = student
})
afterEach(() => {
  w?.unmount()
  w = null
})

describe('the comment thread of a submission', () => {
  it('lists the messages oldest first: author, time, text; own ones apart', async () => {
    serve({ submission_id: 's1', comments: [c1, c2], read_at: '2026-03-05T12:00:00Z', unread: 0 })
    const t = await open()
    expect(api.get).toHaveBeenCalledWith('/submissions/s1/comments')
    expect(t.find('h2').text()).toBe('Обсуждение работы')
    const items = t.findAll('[data-test=comment-item]')
    expect(items).toHaveLength(2)
    expect(items[0].find('[data-test=comment-author]').text()).toBe('Вы')
    expect(items[0].classes()).toContain('comment-own')
    expect(items[1].find('[data-test=comment-author]').text()).toBe('Олег Иванов')
    expect(items[1].classes()).not.toContain('comment-own')
    expect(items[1].find('[data-test=comment-body]').html()).toContain('<b>второй</b>')
    // The time in the user's zone (Moscow), as every date of the app.
    expect(text(items[1].find('time').text())).toBe('5 мар. 2026 г., 14:30')
    expect(items[1].find('time').attributes('datetime')).toBe('2026-03-05T11:30:00Z')
    // Nothing new: no count, nothing marked read.
    expect(t.find('[data-test=comment-unread]').exists()).toBe(false)
    expect(posts('/submissions/s1/comments/read')).toHaveLength(0)
  })

  it('an empty thread says so and still offers to write', async () => {
    serve({ submission_id: 's1', comments: [], read_at: null, unread: 0 })
    const t = await open()
    expect(t.find('[data-test=comment-empty]').text()).toBe('Сообщений пока нет.')
    expect(t.find('[data-test=comment-send]').text()).toBe('Отправить')
    expect(t.find('[data-test=comment-send]').attributes('disabled')).toBeDefined()
  })

  it('says how many are new, marks them, and marks the thread read once shown', async () => {
    serve({ submission_id: 's1', comments: [c1, c2, c3], read_at: '2026-03-05T11:00:00Z', unread: 2 })
    const t = await open()
    expect(t.find('[data-test=comment-unread]').text()).toBe('Новых: 2')
    const items = t.findAll('[data-test=comment-item]')
    expect(items.map((i) => i.classes().includes('comment-new'))).toEqual([false, true, true])
    expect(items[2].text()).toContain('новое')
    expect(posts('/submissions/s1/comments/read')).toHaveLength(1)
    expect(thread.unread).toBe(0)
    // The marks stay for this visit.
    expect(t.find('[data-test=comment-unread]').exists()).toBe(true)
  })

  it('a failed read mark is no error on screen', async () => {
    serve({ submission_id: 's1', comments: [c2], read_at: null, unread: 1 })
    api.post.mockRejectedValueOnce(new ApiError(503, 'storage_unavailable', 'later'))
    const t = await open()
    expect(t.findAll('[data-test=comment-item]')).toHaveLength(1)
    expect(t.find('[data-test=comment-error]').exists()).toBe(false)
  })

  it('posts a message: it appears at once and the editor is emptied', async () => {
    serve({ submission_id: 's1', comments: [c2], read_at: '2026-03-05T12:00:00Z', unread: 0 })
    const t = await open()
    // Pictures go up as drafts: the editor is given no owner to upload for.
    expect(t.findComponent(RichEditor).props('uploadQuery')).toBeUndefined()
    await write(t, '<p>Спасибо, исправлю!</p>')
    await t.find('form').trigger('submit')
    await flushPromises()
    expect(posts('/submissions/s1/comments')).toEqual([['/submissions/s1/comments', { body: '<p>Спасибо, исправлю!</p>', file_ids: [] }]])
    const items = t.findAll('[data-test=comment-item]')
    expect(items).toHaveLength(2)
    expect(items[1].find('[data-test=comment-author]').text()).toBe('Вы')
    expect(items[1].classes()).toContain('comment-own')
    expect(items[1].find('[data-test=comment-body]').text()).toBe('Спасибо, исправлю!')
    expect(t.findComponent(RichEditor).props('modelValue')).toBe('')
    expect(api.get).toHaveBeenCalledTimes(1)
  })

  it('an empty message is refused with a message in words, and the text stays', async () => {
    serve({ submission_id: 's1', comments: [], read_at: null, unread: 0 })
    const t = await open()
    await write(t, '<p> </p>')
    await t.find('form').trigger('submit')
    await flushPromises()
    expect(t.find('[data-test=comment-error]').text()).toBe('Сообщение пустое: напишите текст, вставьте картинку или прикрепите файл.')
    expect(t.find('[data-test=comment-error]').attributes('role')).toBe('alert')
    expect(t.findAll('[data-test=comment-item]')).toHaveLength(0)
    expect(t.findComponent(RichEditor).props('modelValue')).toBe('<p> </p>')
  })

  it('a message too long, a full thread and an archived course are said in words', async () => {
    serve({ submission_id: 's1', comments: [], read_at: null, unread: 0 })
    const t = await open()
    await write(t, '<p>Длинно</p>')
    const answers = [
      [new ApiError(422, 'invalid_field', 'body: at most 320000 bytes', 'body'), 'Сообщение слишком длинное: сократите его или разделите на несколько.'],
      [new ApiError(409, 'thread_full', 'the thread holds at most 500 messages'), 'В обсуждении этой работы слишком много сообщений: новые больше не принимаются.'],
      [new ApiError(409, 'course_archived', 'the course is archived'), 'Курс в архиве, изменения невозможны.'],
    ] as const
    for (const [err, said] of answers) {
      api.post.mockRejectedValueOnce(err)
      await t.find('form').trigger('submit')
      await flushPromises()
      expect(t.find('[data-test=comment-error]').text()).toBe(said)
    }
  })

  it('shows the files of a message as download links with their sizes', async () => {
    const withFiles = comment('c4', teacher, '<p>Разбор в файле.</p>', '2026-03-05T11:40:00Z', [stored('f1', 'разбор.pdf', 1.5 * 1048576), stored('f2', 'пример.py', 900)])
    const onlyFiles = comment('c5', student, '', '2026-03-05T11:45:00Z', [stored('f3', 'решение.jpg', 20480)])
    serve({ submission_id: 's1', comments: [c1, withFiles, onlyFiles], read_at: '2026-03-05T12:00:00Z', unread: 0 })
    const t = await open()
    const items = t.findAll('[data-test=comment-item]')
    expect(items[0].findAll('[data-test=comment-file]')).toHaveLength(0)
    const links = items[1].findAll('[data-test=comment-file]')
    expect(links.map((a) => a.attributes('href'))).toEqual(['/api/v1/files/f1', '/api/v1/files/f2'])
    expect(links.map((a) => a.text())).toEqual(['разбор.pdf', 'пример.py'])
    expect(items[1].findAll('[data-test=comment-files] li').map((li) => text(li.text()))).toEqual(['разбор.pdf · 1,5 МБ', 'пример.py · 1 КБ'])
    expect(items[1].find('[data-test=comment-body]').text()).toBe('Разбор в файле.')
    // A message of files only: no empty text block.
    expect(items[2].find('[data-test=comment-body]').exists()).toBe(false)
    expect(items[2].find('[data-test=comment-file]').text()).toBe('решение.jpg')
  })

  describe('attaching files', () => {
    /** Chooses files in the attach input (as the browser does). */
    async function choose(t: VueWrapper, files: File[]) {
      const input = t.find('[data-test=comment-attach]')
      Object.defineProperty(input.element, 'files', { value: files, configurable: true })
      await input.trigger('change')
    }
    const file = (name: string, size = 100) => new File(['x'.repeat(size)], name, { type: 'application/pdf' })
    /** Uploads that finish when the test says so. */
    function uploads() {
      const pending: { name: string; progress: (p: number) => void; resolve: (f: FileRef) => void; reject: (e: unknown) => void }[] = []
      vi.mocked(uploadFile).mockImplementation((f, progress) => new Promise((resolve, reject) => pending.push({ name: f.name, progress, resolve, reject })))
      return pending
    }

    it('a labelled button next to send; the files go up as drafts at once and show as chips', async () => {
      serve({ submission_id: 's1', comments: [], read_at: null, unread: 0 })
      const pending = uploads()
      const t = await open()
      const input = t.find('[data-test=comment-attach]')
      expect(input.attributes('type')).toBe('file')
      expect(input.attributes('multiple')).toBeDefined()
      expect(t.find(`label[for="${input.attributes('id')}"]`).text()).toBe('Прикрепить файл')
      await choose(t, [file('отчёт.pdf', 3000), file('код.py')])
      const chips = t.findAll('[data-test=comment-file-chip]')
      expect(chips).toHaveLength(2)
      expect(text(chips[0].text())).toContain('отчёт.pdf · 3 КБ')
      // One at a time, as drafts (no owner: they become the submission's when the message is posted).
      expect(vi.mocked(uploadFile)).toHaveBeenCalledTimes(1)
      expect(vi.mocked(uploadFile).mock.calls[0][2]).toBeUndefined()
      pending[0].progress(0.5)
      await flushPromises()
      expect(chips[0].attributes('aria-busy')).toBe('true')
      expect(text(chips[0].find('[data-test=comment-file-progress]').text())).toBe('Загружается 50 %')
      // Nothing can be sent while uploading.
      expect(t.find('[data-test=comment-send]').attributes('disabled')).toBeDefined()
      pending[0].resolve(stored('f1', 'отчёт.pdf', 3000))
      await flushPromises()
      expect(vi.mocked(uploadFile)).toHaveBeenCalledTimes(2)
      pending[1].resolve(stored('f2', 'код.py', 100))
      await flushPromises()
      expect(t.findAll('[data-test=comment-file-progress]')).toHaveLength(0)
      expect(t.find('[data-test=comment-send]').attributes('disabled')).toBeUndefined()
    })

    it('a message of files only: posted with their ids, shown with them, and the chips cleared', async () => {
      serve({ submission_id: 's1', comments: [c2], read_at: '2026-03-05T12:00:00Z', unread: 0 })
      vi.mocked(uploadFile).mockImplementation(async (f) => stored(f.name === 'a.pdf' ? 'fa' : 'fb', f.name, f.size))
      const t = await open()
      await choose(t, [file('a.pdf'), file('b.pdf')])
      await flushPromises()
      // The first is removed before sending.
      await t.findAll('[data-test=comment-file-chip]')[0].find('[data-test=comment-file-remove]').trigger('click')
      expect(t.findAll('[data-test=comment-file-chip]')).toHaveLength(1)
      expect(t.find('[data-test=comment-file-remove]').attributes('aria-label')).toBe('Убрать файл «b.pdf»')
      await t.find('form').trigger('submit')
      await flushPromises()
      expect(posts('/submissions/s1/comments')).toEqual([['/submissions/s1/comments', { body: '', file_ids: ['fb'] }]])
      const items = t.findAll('[data-test=comment-item]')
      expect(items).toHaveLength(2)
      expect(items[1].find('[data-test=comment-file]').attributes('href')).toBe('/api/v1/files/fb')
      expect(t.findAll('[data-test=comment-file-chip]')).toHaveLength(0)
      expect(t.find('[data-test=comment-send]').attributes('disabled')).toBeDefined()
    })

    it('text and files together', async () => {
      serve({ submission_id: 's1', comments: [], read_at: null, unread: 0 })
      vi.mocked(uploadFile).mockImplementation(async (f) => stored('f9', f.name, f.size))
      const t = await open()
      await write(t, '<p>Исправленная версия</p>')
      await choose(t, [file('v2.pdf')])
      await flushPromises()
      await t.find('form').trigger('submit')
      await flushPromises()
      expect(posts('/submissions/s1/comments')[0][1]).toEqual({ body: '<p>Исправленная версия</p>', file_ids: ['f9'] })
      expect(t.findComponent(RichEditor).props('modelValue')).toBe('')
      expect(t.findAll('[data-test=comment-file-chip]')).toHaveLength(0)
    })

    it('a failed upload is said in a toast and its chip goes', async () => {
      serve({ submission_id: 's1', comments: [], read_at: null, unread: 0 })
      vi.mocked(uploadFile)
        .mockRejectedValueOnce(new ApiError(413, 'file_too_large', 'too large'))
        .mockRejectedValueOnce(new ApiError(415, 'file_type_not_allowed', 'no'))
        .mockResolvedValueOnce(stored('f3', 'ok.pdf', 100))
      const t = await open()
      await choose(t, [file('огромный.zip'), file('вирус.exe'), file('ok.pdf')])
      await flushPromises()
      expect(toasts.map((x) => [x.kind, x.text])).toEqual([
        ['danger', 'Файл «огромный.zip» не загружен: Файл слишком большой.'],
        ['danger', 'Файл «вирус.exe» не загружен: Такой тип файла не принимается.'],
      ])
      const chips = t.findAll('[data-test=comment-file-chip]')
      expect(chips).toHaveLength(1)
      expect(chips[0].text()).toContain('ok.pdf')
    })

    it('at most ten files on a message', async () => {
      serve({ submission_id: 's1', comments: [], read_at: null, unread: 0 })
      let n = 0
      vi.mocked(uploadFile).mockImplementation(async (f) => stored(`f${++n}`, f.name, f.size))
      const t = await open()
      await choose(t, Array.from({ length: 8 }, (_, i) => file(`${i}.pdf`)))
      await flushPromises()
      await choose(t, Array.from({ length: 4 }, (_, i) => file(`x${i}.pdf`)))
      await flushPromises()
      expect(t.findAll('[data-test=comment-file-chip]')).toHaveLength(10)
      expect(vi.mocked(uploadFile)).toHaveBeenCalledTimes(10)
      expect(toasts.map((x) => [x.kind, x.text])).toEqual([['warning', 'К сообщению можно прикрепить не больше 10 файлов: лишние не добавлены.']])
      expect(t.find('[data-test=comment-attach]').attributes('disabled')).toBeDefined()
      expect(t.find('[data-test=comment-attach-label]').classes()).toContain('disabled')
    })

    it('files the server refuses are said in words and stay chosen', async () => {
      serve({ submission_id: 's1', comments: [], read_at: null, unread: 0 })
      vi.mocked(uploadFile).mockImplementation(async (f) => stored('f1', f.name, f.size))
      const t = await open()
      await choose(t, [file('a.pdf')])
      await flushPromises()
      api.post.mockRejectedValueOnce(new ApiError(422, 'invalid_field', 'file_ids: file f1 is not an upload of yours waiting to be attached', 'file_ids'))
      await t.find('form').trigger('submit')
      await flushPromises()
      expect(t.find('[data-test=comment-error]').text()).toBe('Файлы не прикрепились: удалите их и прикрепите заново (не больше 10 к сообщению).')
      expect(t.findAll('[data-test=comment-file-chip]')).toHaveLength(1)
    })
  })

  it('in English', async () => {
    setLocale('en')
    serve({ submission_id: 's1', comments: [c1, c2], read_at: null, unread: 1 })
    const t = await open(true, true)
    expect(t.find('h2').text()).toBe('Discussion')
    expect(t.find('[data-test=comment-unread]').text()).toBe('1 new')
    expect(t.find('[data-test=comment-send]').text()).toBe('Send')
    expect(t.find('[data-test=comment-attach-label]').text()).toBe('Attach a file')
  })

  it('has no serious or critical axe-core finding, with the real editor', async () => {
    serve({ submission_id: 's1', comments: [c1, c2, c3], read_at: '2026-03-05T11:00:00Z', unread: 2 })
    const t = await open(false)
    expect(t.find('[data-test=comment-input] .ql-editor').attributes('aria-labelledby')).toBe(t.find('.form-label').attributes('id'))
    // With a file chosen: one chip uploaded, one still uploading.
    vi.mocked(uploadFile).mockResolvedValueOnce(stored('f1', 'a.pdf', 100)).mockImplementationOnce(() => new Promise(() => {}))
    const input = t.find('[data-test=comment-attach]')
    Object.defineProperty(input.element, 'files', { value: [new File(['a'], 'a.pdf'), new File(['b'], 'b.pdf')], configurable: true })
    await input.trigger('change')
    await flushPromises()
    expect(t.findAll('[data-test=comment-file-chip]')).toHaveLength(2)
    // jsdom draws nothing, so colour contrast cannot be measured here (the e2e checks measure it);
    // nor does it apply Quill's CSS, which hides the editor's closed link box (`.ql-hidden`).
    const context = { include: [t.element], exclude: [['.ql-tooltip.ql-hidden']] } as unknown as axe.ElementContext
    const r = await axe.run(context, { resultTypes: ['violations'], rules: { 'color-contrast': { enabled: false } } })
    expect(r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.help}`)).toEqual([])
  })
})

describe('where the thread is shown', () => {
  const assignment = {
    id: 'a1', course_id: 'c1', title: 'Уравнения', instructions: '<p>Решите</p>', max_score: 10,
    late_policy: { kind: 'no_penalty' }, submission_kind: 'text', file_limits: { max_files: 3, max_file_size: 1048576, allowed_extensions: [] }, attachments: [],
  }
  const deadline = { due_at: '2030-03-05T20:59:00Z', cut_off_at: null }
  const version = { id: 'v1', number: 1, text: '<p>x = 2</p>', files: [], submitted_at: '2026-03-05T09:30:00Z', late: false }
  const submission = { id: 's1', assignment_id: 'a1', student_id: 'u1', state: 'submitted', versions: [version], grade: null, rework_feedback: null }
  const page = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub, RichEditor: true } } }

  function serveAssignment(sub: unknown) {
    serve({ submission_id: 's1', comments: [c2], read_at: null, unread: 1 })
    const threadGet = api.get.getMockImplementation()!
    api.get.mockImplementation(async (p: string) => {
      if (p === '/assignments/a1') return { assignment, deadline, status: sub ? 'submitted' : 'not_submitted', submission: structuredClone(sub) }
      if (p === '/submissions/s1') return structuredClone(submission)
      if (p === '/submissions/s1/history') return []
      if (p.startsWith('/courses/c1/')) return { items: [], total: 0 }
      return threadGet(p)
    })
  }

  it('the student\'s assignment page: no thread before handing in', async () => {
    serveAssignment(null)
    w = mount(Assignment, { props: { id: 'a1' }, ...page })
    await flushPromises()
    expect(w.find('[data-test=handin-submit]').exists()).toBe(true)
    expect(w.find('[data-test=comment-thread]').exists()).toBe(false)
    expect(api.get.mock.calls.map(([p]) => p)).not.toContain('/submissions/s1/comments')
  })

  it('the student\'s assignment page: the thread under the work once handed in', async () => {
    serveAssignment(submission)
    w = mount(Assignment, { props: { id: 'a1' }, ...page })
    await flushPromises()
    const t = w.find('[data-test=comment-thread]')
    expect(t.exists()).toBe(true)
    expect(t.find('[data-test=comment-author]').text()).toBe('Олег Иванов')
    expect(t.text()).toContain('задать вопрос преподавателю')
    // It comes after the work handed in.
    const html = w.html()
    expect(html.indexOf('data-test="handed-in"')).toBeLessThan(html.indexOf('data-test="comment-thread"'))
    expect(posts('/submissions/s1/comments/read')).toHaveLength(1)
  })

  it('the staff submission page shows the thread of that submission', async () => {
    session.user = teacher
    serveAssignment(null)
    w = mount(Submission, { props: { id: 's1' }, ...page })
    await flushPromises()
    const t = w.find('[data-test=comment-thread]')
    expect(t.exists()).toBe(true)
    expect(t.text()).toContain('Сообщения видят студент')
    expect(t.find('[data-test=comment-author]').text()).toBe('Вы')
  })
})
