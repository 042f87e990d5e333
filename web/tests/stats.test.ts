import { describe, it, expect, vi } from 'vitest'
import { mount, flushPromises, RouterLinkStub } from '@vue/test-utils'

vi.mock('../src/api/http', async (orig) => ({ ...(await orig<typeof import('../src/api/http')>()), get: vi.fn() }))
import { get } from '../src/api/http'
import Statistics from '../src/views/Statistics.vue'
import { itemStats, barSeries, metricValue, shortLabel, type Gradebook } from '../src/lib/stats'
import { formatPercent } from '../src/lib/format'
import Status from '../src/components/Status.vue'
import { i18n, setLocale } from '../src/i18n'

const book: Gradebook = {
  course_id: 'c',
  columns: [
    { kind: 'assignment', id: 'a1', title: 'Эссе', max_score: 10 },
    { kind: 'quiz', id: 'q1', title: 'Тест 1', max_score: 4 },
    { kind: 'assignment', id: 'a2', title: 'Новое', max_score: 5 },
  ],
  rows: [
    { student_id: 's1', student_name: 'A', email: 'a@x', cells: [9.5, 3, null], submission_ids: ['sub1', null, 'sub3'], total: 12.5, total_max: 19, percent: 65.79 },
    { student_id: 's2', student_name: 'B', email: 'b@x', cells: [4.5, null, null], submission_ids: ['sub2', null, null], total: 4.5, total_max: 19, percent: 23.68 },
    { student_id: 's3', student_name: 'C', email: 'c@x', cells: [null, 2, null], submission_ids: [null, null, null], total: 2, total_max: 19, percent: 10.53 },
  ],
}

describe('per-item statistics from the gradebook', () => {
  it('averages the scored cells in percent and counts hand-ins', () => {
    const [a1, q1, a2] = itemStats(book)
    expect(a1).toMatchObject({ kind: 'assignment', title: 'Эссе', averagePercent: 70, scored: 2, doneShare: 0.6667 })
    expect(q1).toMatchObject({ kind: 'quiz', averagePercent: 62.5, doneShare: 0.6667 })
    // Handed in, not graded yet: counts as handed in, no average.
    expect(a2).toMatchObject({ averagePercent: null, scored: 0, doneShare: 0.3333 })
  })
  it('has no shares without students', () => {
    expect(itemStats({ ...book, rows: [] }).map((i) => i.doneShare)).toEqual([null, null, null])
  })
  it('builds chart series with kind labels, percent values and colours by kind', () => {
    const items = itemStats(book)
    const s = barSeries(items, 'average', (k) => (k === 'quiz' ? 'Тест' : 'Задание'))
    expect(s.labels).toEqual(['Эссе (задание)', 'Тест 1 (тест)', 'Новое (задание)'])
    expect(s.values).toEqual([70, 62.5, null])
    expect(s.axisLabels).toEqual(['Эссе', 'Тест 1', 'Новое'])
    expect(shortLabel('Сдать с опозданием и ещё очень длинное название', 20)).toBe('Сдать с опозданием…')
    expect([...shortLabel('x'.repeat(40))].length).toBe(28)
    expect(s.colours[0]).not.toBe(s.colours[1])
    expect(metricValue(items[0], 'done')).toBe(66.67)
    expect(formatPercent(metricValue(items[0], 'done'), 'ru')).toBe('66,7\u00a0%')
    expect(formatPercent(metricValue(items[0], 'done'), 'en')).toBe('66.7%')
  })
})

describe('loading skeleton', () => {
  it('shows placeholders with a hidden "Загрузка…" and aria-busy', async () => {
    setLocale('ru')
    const w = mount(Status, { props: { loading: true }, global: { plugins: [i18n] } })
    await flushPromises()
    const box = w.get('[data-test="loading"]')
    expect(box.attributes('aria-busy')).toBe('true')
    expect(box.find('.placeholder-glow').exists()).toBe(true)
    expect(box.findAll('.placeholder').length).toBeGreaterThanOrEqual(4)
    expect(box.find('.visually-hidden').text()).toBe('Загрузка…')
    expect(box.find('.spinner-border').exists()).toBe(false)
    w.unmount()
  })
  it('shows the error and the empty text when not loading', () => {
    const w = mount(Status, { props: { error: 'Ошибка', empty: true, emptyText: 'Пусто' }, global: { plugins: [i18n] } })
    expect(w.get('[data-test="error"]').text()).toBe('Ошибка')
    expect(w.find('[data-test="loading"]').exists()).toBe(false)
    w.unmount()
  })
})

describe('statistics page charts', () => {
  const stats = {
    course_id: 'c', title: 'Алгебра', student_count: 3, assignments_due: 1, pending_count: 1,
    submission_rate: 0.6667, average_homework_percent: 70, average_quiz_percent: 62.5, late_share: 0,
  }
  async function show(gradebook: Gradebook) {
    vi.mocked(get).mockImplementation(async (path: string) => (path.endsWith('/gradebook') ? gradebook : stats))
    const w = mount(Statistics, { props: { id: 'c' }, global: { plugins: [i18n], stubs: { RouterLink: RouterLinkStub } } })
    // The chart component is a lazily loaded chunk: wait for it.
    for (let i = 0; i < 100 && !w.find('figure').exists() && !w.find('[data-test=stats-charts-empty]').exists(); i++) {
      await flushPromises()
      await new Promise((r) => setTimeout(r, 50))
    }
    return w
  }
  it('keeps the cards and adds a chart per metric, lazily loaded, with Russian labels', { timeout: 15000 }, async () => {
    setLocale('ru')
    const w = await show(book)
    expect(w.find('[data-test=stat-hw_avg]').text()).toContain('70\u00a0%')
    expect(w.get('[data-test=stats-charts]').text()).toContain('По заданиям и тестам')
    const avg = w.get('[data-test=chart-average]')
    expect(avg.text()).toContain('Средний результат')
    // Only scored items are in the average chart; the accessible summary has Russian numbers.
    const label = avg.get('canvas[role=img]').attributes('aria-label')
    expect(label).toContain('Эссе (домашнее задание): 70\u00a0%')
    expect(label).toContain('Тест 1 (тест): 62,5\u00a0%')
    expect(label).not.toContain('Новое')
    expect(w.get('[data-test=chart-done]').get('canvas[role=img]').attributes('aria-label')).toContain('Новое (домашнее задание): 33,3\u00a0%')
    expect(w.find('canvas').exists()).toBe(true)
    w.unmount()
  })
  it('says what to do when the course has nothing to chart', async () => {
    setLocale('ru')
    const w = await show({ course_id: 'c', columns: [], rows: [] })
    expect(w.get('[data-test=stats-charts-empty]').text()).toMatch(/добавьте их на странице курса/)
    w.unmount()
  })
})
