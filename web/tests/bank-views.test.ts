// The question bank page (views/QuestionBank.vue), random slots in the quiz
// builder (views/QuizBuilder.vue) and the item analysis (views/QuizAnalysis.vue),
// against the fake server.
import { describe, it, expect, beforeEach } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

import { fakeApi } from './fake-api'
import { session, type User } from '../src/session'
import { i18n, setLocale } from '../src/i18n'
import { ApiError } from '../src/api/http'
import { router } from '../src/router'
import { redirectForRole } from '../src/lib/nav'
import { settleConfirm } from '../src/lib/confirm'
import { toasts, clearToasts } from '../src/lib/toast'
import type { BankListing, BankQuestion, Question, QuizAnalysis } from '../src/api/types'
import QuestionBank from '../src/views/QuestionBank.vue'
import QuizBuilder from '../src/views/QuizBuilder.vue'
import QuizAnalysisView from '../src/views/QuizAnalysis.vue'
import { courseView } from './course-view'

const api = fakeApi()
const opts = { global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub, RichEditor: true } } }
const teacher: User = { id: 'u1', email: 'u@x.test', display_name: 'Анна', role: 'teacher', locale: 'ru', time_zone: 'Europe/Moscow', active: true, created_at: '2026-01-01T00:00:00Z' }
const C = '00000000-0000-4000-8000-0000000000c1'
const course = { id: C, title: 'Математика', description: '', owner_id: 'u1', status: 'published', invite_code: 'ABC123', created_at: '2026-01-01T00:00:00Z' }

const bq = (id: string, category: string, prompt: string, extra: Partial<BankQuestion> = {}): BankQuestion => ({
  id, course_id: C, category, tags: [], prompt, points: 1, body: { kind: 'true_false', correct: true }, explanation: null, version: 1, author_id: 'u1',
  created_at: '2026-01-01T00:00:00Z', updated_at: '2026-01-01T00:00:00Z', ...extra,
})
const listing = (questions: BankQuestion[]): BankListing => ({
  questions,
  total: 23,
  categories: [{ category: 'ЕГЭ/Задание 1', questions: 20 }, { category: 'ОГЭ', questions: 2 }, { category: '', questions: 1 }],
})
const query = (path: string) => Object.fromEntries(new URL(path, 'http://x').searchParams)

beforeEach(() => {
  api.reset()
  clearToasts()
  setLocale('ru')
  session.checked = true
  session.user = teacher
})

describe('routes', () => {
  it('has the bank and the analysis, for staff only', () => {
    expect(router.resolve(`/courses/${C}/bank`).name).toBe('bank')
    expect(router.resolve('/quizzes/q1/analysis').name).toBe('quiz-analysis')
    expect(redirectForRole('student', 'bank')).toBe('home')
    expect(redirectForRole('student', 'quiz-analysis')).toBe('home')
    expect(redirectForRole('teacher', 'bank')).toBeNull()
    expect(redirectForRole('assistant', 'quiz-analysis')).toBeNull()
  })
})

describe('the question bank', () => {
  function serve(questions: BankQuestion[] = [bq('b1', 'ЕГЭ/Задание 1', '<p>Число 17 — простое.</p>', { tags: ['устно'], version: 3 })]) {
    api.get.mockImplementation(async (p: string) => {
      if (p === `/courses/${C}`) return courseView(course, 'owner')
      if (p.startsWith(`/courses/${C}/bank?`)) return listing(questions)
      if (p.startsWith(`/courses/${C}/bank/export`)) return 'gift'
      throw new Error(`unexpected GET ${p}`)
    })
  }

  it('lists the categories as a tree with counts and filters by one', async () => {
    serve()
    const w = mount(QuestionBank, { props: { courseId: C }, ...opts })
    await flushPromises()
    const cats = w.findAll('[data-test=bank-category]')
    expect(cats.map((c) => [c.attributes('data-path'), c.find('[data-test=bank-category-count]').text()])).toEqual([
      ['', '23'],
      ['ЕГЭ', '20'],
      ['ЕГЭ/Задание 1', '20'],
      ['ОГЭ', '2'],
    ])
    expect(cats[2].text()).toContain('Задание 1')
    expect(cats[2].attributes('style')).toContain('padding-left: 2.1rem')
    const q = w.get('[data-test=bank-question]')
    expect(q.text()).toContain('Верно/неверно')
    expect(q.text()).toContain('версия 3')
    expect(q.get('[data-test=bank-tag-chip]').text()).toBe('устно')
    await cats[2].trigger('click')
    await flushPromises()
    const last = api.get.mock.calls.map((c) => c[0]).filter((p) => p.startsWith(`/courses/${C}/bank?`)).pop()!
    expect(query(last)).toMatchObject({ category: 'ЕГЭ/Задание 1', limit: '51', offset: '0' })
    expect(w.get('[data-test=bank-filter-category]').text()).toContain('ЕГЭ/Задание 1')
  })

  it('creates a question with its category and tags, and deletes one after a confirmation', async () => {
    serve()
    api.post.mockImplementation(async () => bq('b2', 'ОГЭ', '<p>x</p>'))
    const w = mount(QuestionBank, { props: { courseId: C }, ...opts })
    await flushPromises()
    await w.get('[data-test=bank-new]').trigger('click')
    await flushPromises()
    await w.get('[data-test=bq-category]').setValue('ОГЭ')
    await w.get('[data-test=bq-tags]').setValue('Устно, проценты')
    await w.get('[data-test=q-kind]').setValue('true_false')
    await w.get('[data-test=question-form]').trigger('submit')
    await flushPromises()
    const [path, body] = api.post.mock.calls[0]
    expect(path).toBe(`/courses/${C}/bank`)
    expect(body).toMatchObject({ category: 'ОГЭ', tags: ['устно', 'проценты'], points: 1, body: { kind: 'true_false', correct: true }, explanation: null })
    expect(toasts.map((t) => t.text)).toContain('Вопрос сохранён в банке.')
    expect(w.find('[data-test=bank-editor]').exists()).toBe(false)

    await w.get('[data-test=bank-delete]').trigger('click')
    await flushPromises()
    settleConfirm(true)
    await flushPromises()
    expect(api.del.mock.calls[0][0]).toBe('/bank/b1')
  })

  it('edits a question from the version it was read at; «stale» says so', async () => {
    serve()
    api.put.mockImplementation(async () => {
      throw new ApiError(409, 'stale', 'the question was changed meanwhile; reload it')
    })
    const w = mount(QuestionBank, { props: { courseId: C }, ...opts })
    await flushPromises()
    await w.get('[data-test=bank-edit]').trigger('click')
    await flushPromises()
    expect((w.get('[data-test=bq-category]').element as HTMLInputElement).value).toBe('ЕГЭ/Задание 1')
    expect(w.get('[data-test=bq-version]').text()).toContain('версию 3')
    await w.get('[data-test=question-form]').trigger('submit')
    await flushPromises()
    expect(api.put.mock.calls[0][0]).toBe('/bank/b1')
    expect(api.put.mock.calls[0][1]).toMatchObject({ version: 3, category: 'ЕГЭ/Задание 1', tags: ['устно'] })
    expect(w.get('[data-test=question-error]').text()).toContain('обновите страницу')
  })

  it('checks an import, lists the questions and the problems, then imports them', async () => {
    serve()
    const imported = (line: number) => ({ line, category: 'ЕГЭ/Задание 1', title: null, prompt: `<p>Задача ${line}</p>`, points: null, body: { kind: 'numeric' as const, value: 1, tolerance: 0 }, explanation: null, tags: [] })
    api.post.mockImplementation(async (p: string) => ({
      written: !p.includes('dry_run=true'),
      questions: [imported(3), imported(5)],
      issues: [{ line: 7, reason: 'matching needs at least two pairs' }],
    }))
    const w = mount(QuestionBank, { props: { courseId: C }, ...opts })
    await flushPromises()
    await w.get('[data-test=bank-import-open]').trigger('click')
    expect(w.get('[data-test=import-hint]').text()).toContain('GIFT')
    await w.get('[data-test=import-format]').setValue('csv')
    expect(w.get('[data-test=import-csv-columns]').text()).toContain('kind и prompt')
    expect(w.get('[data-test=import-csv-columns]').text()).toContain('через |')
    await w.get('[data-test=import-format]').setValue('gift')
    expect(w.get('[data-test=import-run]').attributes('disabled')).toBeDefined()
    await w.get('[data-test=import-text]').setValue('::Задача 3::1?{#1}')
    await w.get('[data-test=import-check]').trigger('click')
    await flushPromises()
    const [path, body] = api.post.mock.calls[0]
    expect(path).toBe(`/courses/${C}/bank/import?dry_run=true`)
    expect(body).toEqual({ format: 'gift', text: '::Задача 3::1?{#1}', category: '' })
    expect(w.findAll('[data-test=preview-row]').map((r) => r.findAll('td').map((d) => d.text()))).toEqual([
      ['3', 'ЕГЭ/Задание 1', 'Число', 'Задача 3'],
      ['5', 'ЕГЭ/Задание 1', 'Число', 'Задача 5'],
    ])
    expect(w.get('[data-test=import-issue]').text()).toBe('Строка 7: matching needs at least two pairs')
    expect(w.get('[data-test=issue-count]').text()).toBe('1')
    const run = w.get('[data-test=import-run]')
    expect(run.text()).toBe('Импортировать 2 вопроса')
    expect(run.attributes('disabled')).toBeUndefined()
    // Another text needs another check first.
    await w.get('[data-test=import-text]').setValue('::Задача 3::2?{#2}')
    expect(w.get('[data-test=import-run]').attributes('disabled')).toBeDefined()
    expect(w.find('[data-test=import-changed]').exists()).toBe(true)
    await w.get('[data-test=import-text]').setValue('::Задача 3::1?{#1}')
    await w.get('[data-test=import-run]').trigger('click')
    await flushPromises()
    expect(api.post.mock.calls[1][0]).toBe(`/courses/${C}/bank/import?dry_run=false`)
    expect(w.get('[data-test=import-report]').attributes('data-written')).toBe('true')
    expect(toasts.map((t) => t.text)).toContain('Импортировано вопросов: 2.')
  })

  it('says why nothing could be imported', async () => {
    serve()
    api.post.mockImplementation(async () => {
      throw new ApiError(422, 'nothing_to_import', 'no question in the file can be imported')
    })
    const w = mount(QuestionBank, { props: { courseId: C }, ...opts })
    await flushPromises()
    await w.get('[data-test=bank-import-open]').trigger('click')
    await w.get('[data-test=import-text]').setValue('x')
    await w.get('[data-test=import-check]').trigger('click')
    await flushPromises()
    expect(w.get('[data-test=import-error]').text()).toContain('нет ни одного вопроса')
  })
})

describe('random slots in the quiz builder', () => {
  const quiz = {
    id: 'q1', course_id: C, title: 'Разминка', description: '', published: false, created_at: '2026-01-01T00:00:00Z',
    settings: { opens_at: null, closes_at: null, time_limit_minutes: null, attempts_allowed: null, scoring: 'best', shuffle_questions: false, shuffle_options: false, reveal: 'after_attempt' },
  }
  const slot: Question = {
    id: 's1', quiz_id: 'q1', position: 0, prompt: 'Случайно', points: 2, explanation: null,
    body: { kind: 'random', count: 5, pool: { from: 'category', course_id: C, category: 'ЕГЭ/Задание 1', tag: null } },
  }
  const oneOf: Question = { ...slot, id: 's2', position: 1, body: { kind: 'random', count: 1, pool: { from: 'questions', course_id: C, ids: ['b1', 'b2', 'b3'] } } }
  function serve() {
    api.get.mockImplementation(async (p: string) => {
      if (p === '/quizzes/q1') return { quiz, question_count: 6, max_score: 12, attempts: [], attempts_left: null, open_attempt: null, can_start_now: false, quiz_score: null }
      if (p === '/quizzes/q1/questions') return [slot, oneOf]
      if (p.startsWith(`/courses/${C}/bank?`)) return listing([bq('b1', 'ОГЭ', '<p>Первый</p>'), bq('b2', 'ОГЭ', '<p>Второй</p>')])
      throw new Error(`unexpected GET ${p}`)
    })
  }

  it('shows a slot by its pool and adds one drawing from a category', async () => {
    serve()
    api.post.mockImplementation(async () => ({ ...slot, id: 's3' }))
    const w = mount(QuizBuilder, { props: { id: 'q1' }, ...opts })
    await flushPromises()
    expect(w.findAll('[data-test=slot-label]').map((l) => l.text())).toEqual(['Случайно: 5 из «ЕГЭ/Задание 1»', 'Случайно: 1 из 3 выбранных вопросов'])
    expect(w.get('[data-test=to-analysis]').getComponent(RouterLinkStub).props('to')).toBe('/quizzes/q1/analysis')
    await w.get('[data-test=add-mode-random]').trigger('click')
    await flushPromises()
    const options = w.findAll('[data-test=slot-category] option').map((o) => [o.attributes('value'), o.element.textContent])
    expect(options).toEqual([
      ['', 'Весь банк'],
      ['ЕГЭ', 'ЕГЭ (20)'],
      ['ЕГЭ/Задание 1', '\u00a0\u00a0Задание 1 (20)'],
      ['ОГЭ', 'ОГЭ (2)'],
    ])
    await w.get('[data-test=slot-category]').setValue('ЕГЭ/Задание 1')
    expect(w.get('[data-test=slot-available]').text()).toBe('Вопросов в категории: 20.')
    await w.get('[data-test=slot-count]').setValue('5')
    await w.get('[data-test=slot-tag]').setValue('  ')
    await w.get('[data-test=slot-form]').trigger('submit')
    await flushPromises()
    const [path, body] = api.post.mock.calls[0]
    expect(path).toBe('/quizzes/q1/questions')
    expect(body).toEqual({
      prompt: 'Случайно: 5 из «ЕГЭ/Задание 1»', points: 1, explanation: null,
      body: { kind: 'random', count: 5, pool: { from: 'category', course_id: C, category: 'ЕГЭ/Задание 1', tag: null } },
    })
    expect(toasts.map((t) => t.text)).toContain('Случайный выбор вопросов сохранён.')
  })

  it("shows the server's reason for a pool it refuses next to the form", async () => {
    serve()
    api.post.mockImplementation(async () => {
      throw new ApiError(422, 'invalid_pool', 'pool: it holds 20 questions, fewer than the 25 to draw', 'pool')
    })
    const w = mount(QuizBuilder, { props: { id: 'q1' }, ...opts })
    await flushPromises()
    await w.get('[data-test=add-mode-random]').trigger('click')
    await flushPromises()
    await w.get('[data-test=slot-category]').setValue('ЕГЭ/Задание 1')
    await w.get('[data-test=slot-count]').setValue('25')
    await w.get('[data-test=slot-form]').trigger('submit')
    await flushPromises()
    expect(w.get('[data-test=slot-error]').text()).toBe('Вопросов в наборе: 20 — меньше, чем нужно взять (25). Уменьшите число или добавьте вопросы в банк.')
  })

  it('edits a «one of» slot: the chosen questions are ticked, and a new tick is sent', async () => {
    serve()
    api.put.mockImplementation(async () => oneOf)
    const w = mount(QuizBuilder, { props: { id: 'q1' }, ...opts })
    await flushPromises()
    await w.findAll('[data-test=slot-edit]')[1].trigger('click')
    await flushPromises()
    expect(w.get('[data-test=add-mode-one-of]').attributes('aria-pressed')).toBe('true')
    const checks = w.findAll('[data-test=pool-check]')
    expect(checks.map((c) => (c.element as HTMLInputElement).checked)).toEqual([true, true])
    expect(w.get('[data-test=pool-picked]').text()).toBe('Выбрано вопросов: 3')
    await checks[1].setValue(false)
    await w.get('[data-test=slot-form]').trigger('submit')
    await flushPromises()
    const [path, body] = api.put.mock.calls[0]
    expect(path).toBe('/quizzes/q1/questions/s2')
    expect(body).toMatchObject({ points: 2, body: { kind: 'random', count: 1, pool: { from: 'questions', course_id: C, ids: ['b1', 'b3'] } } })
  })

  it('still adds ordinary questions', async () => {
    serve()
    api.post.mockImplementation(async () => ({ ...slot, id: 'n1', body: { kind: 'essay' } }))
    const w = mount(QuizBuilder, { props: { id: 'q1' }, ...opts })
    await flushPromises()
    await w.get('[data-test=q-kind]').setValue('essay')
    await w.get('[data-test=q-points]').setValue('5')
    await w.get('[data-test=question-form]').trigger('submit')
    await flushPromises()
    expect(api.post.mock.calls[0]).toEqual(['/quizzes/q1/questions', { prompt: '', points: 5, body: { kind: 'essay' }, explanation: null }])
    // The next question starts with the same kind.
    expect((w.get('[data-test=q-kind]').element as HTMLSelectElement).value).toBe('essay')
  })
})

describe('the item analysis', () => {
  const analysis: QuizAnalysis = {
    attempts: 2, students: 2, mean_percent: 62.5, median_percent: 62.5, pending_manual: 0,
    histogram: Array.from({ length: 10 }, (_, i) => ({ from_percent: i * 10, to_percent: i * 10 + 10, attempts: i === 5 || i === 7 ? 1 : 0 })),
    questions: [
      { question_id: 'x1', kind: 'single_choice', prompt: 'Сколько будет 15 % от 200?', max_points: 1, attempts: 2, answered: 2, mean_score: 0.1, facility: 0.1, discrimination: 0.5, mean_seconds: null,
        options: [{ option: 'o1', text: '30', correct: true, chosen: 1 }, { option: 'o2', text: '15', correct: false, chosen: 1 }] },
      { question_id: 'x2', kind: 'true_false', prompt: 'Число 17 — простое.', max_points: 1, attempts: 1, answered: 1, mean_score: 1, facility: 1, discrimination: null, mean_seconds: null,
        options: [{ option: 'true', text: 'true', correct: true, chosen: 1 }, { option: 'false', text: 'false', correct: false, chosen: 0 }] },
    ],
  }

  it('shows the numbers, a histogram, a row per question with hints and the options chosen', async () => {
    api.get.mockImplementation(async (p: string) => {
      if (p === '/quizzes/q1') return { quiz: { id: 'q1', course_id: C, title: 'Разминка' } }
      if (p === '/quizzes/q1/analysis') return analysis
      throw new Error(`unexpected GET ${p}`)
    })
    const w = mount(QuizAnalysisView, { props: { id: 'q1' }, ...opts })
    await flushPromises()
    expect(w.get('[data-test=analysis-title]').text()).toBe('Анализ вопросов: Разминка')
    expect(w.get('[data-test=analysis-card-attempts] [data-test=analysis-value]').text()).toBe('2')
    expect(w.get('[data-test=analysis-card-mean] [data-test=analysis-value]').text()).toBe('62,5\u00a0%')
    const bins = w.findAll('[data-test=histogram-bin]')
    expect(bins).toHaveLength(10)
    expect(bins[5].attributes('aria-label')).toBe('50–60\u00a0%: 1')
    const rows = w.findAll('[data-test=analysis-row]')
    expect(rows.map((r) => r.attributes('data-attempts'))).toEqual(['2', '1'])
    expect(rows[0].get('[data-test=analysis-facility]').text()).toBe('10\u00a0%')
    expect(rows[0].get('[data-test=analysis-facility]').classes()).toContain('table-danger')
    expect(rows[0].get('[data-test=analysis-discrimination]').text()).toBe('0,50')
    expect(rows[0].findAll('[data-test=analysis-hint]').map((h) => h.text())).toEqual(['слишком трудный'])
    expect(rows[1].findAll('[data-test=analysis-hint]').map((h) => h.text())).toEqual(['слишком лёгкий'])
    expect(rows[1].get('[data-test=analysis-discrimination]').text()).toBe('—')
    const options = rows[0].findAll('[data-test=analysis-option]')
    expect(options[0].text()).toContain('Правильный ответ:')
    expect(options[0].text()).toContain('30')
    expect(options[1].text()).not.toContain('Правильный ответ')
    expect(options.map((o) => o.findAll('span').at(-1)!.text())).toEqual(['1 · 50\u00a0%', '1 · 50\u00a0%'])
    expect(options[0].get('.analysis-option-bar').attributes('style')).toContain('width: 50%')
    expect(rows[1].findAll('[data-test=analysis-option]')[0].text()).toContain('Верно')
    expect(w.get('[data-test=analysis-help]').text()).toContain('27')
  })

  it('says when there are no finished attempts yet', async () => {
    api.get.mockImplementation(async (p: string) => {
      if (p === '/quizzes/q1') return { quiz: { id: 'q1', course_id: C, title: 'Разминка' } }
      if (p === '/quizzes/q1/analysis') return { ...analysis, attempts: 0, students: 0, mean_percent: null, median_percent: null, questions: [] }
      throw new Error(`unexpected GET ${p}`)
    })
    const w = mount(QuizAnalysisView, { props: { id: 'q1' }, ...opts })
    await flushPromises()
    expect(w.find('[data-test=analysis-empty]').exists()).toBe(true)
    expect(w.find('[data-test=analysis-table]').exists()).toBe(false)
  })
})
