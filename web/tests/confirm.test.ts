import { describe, it, expect, afterEach } from 'vitest'
import { mount, flushPromises } from '@vue/test-utils'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import ConfirmDialog from '../src/components/ConfirmDialog.vue'
import { askConfirm, confirmState, settleConfirm } from '../src/lib/confirm'
import { i18n } from '../src/i18n'

const request = {
  title: 'Удалить урок «Теорема Виета»?',
  message: 'Это действие нельзя отменить.',
  confirmLabel: 'Удалить урок',
  cancelLabel: 'Отмена',
  danger: true,
}

describe('the confirmation dialog', () => {
  afterEach(() => settleConfirm(false))
  const open = () => mount(ConfirmDialog, { attachTo: document.body })

  it('says what will happen, with buttons named by the action', async () => {
    const w = open()
    askConfirm(request)
    await flushPromises()
    const d = w.find('[data-test=confirm-dialog]')
    expect(d.attributes('role')).toBe('dialog')
    expect(d.attributes('aria-modal')).toBe('true')
    expect(w.find('#confirm-title').text()).toBe('Удалить урок «Теорема Виета»?')
    expect(d.attributes('aria-describedby')).toBe('confirm-message')
    expect(w.find('[data-test=confirm-message]').text()).toBe('Это действие нельзя отменить.')
    expect(w.find('[data-test=confirm-ok]').text()).toBe('Удалить урок')
    expect(w.find('[data-test=confirm-ok]').classes()).toContain('btn-danger')
    w.unmount()
  })
  it('confirms with the action button', async () => {
    const w = open()
    const answer = askConfirm(request)
    await flushPromises()
    await w.find('[data-test=confirm-ok]').trigger('click')
    expect(await answer).toBe(true)
    expect(w.find('[data-test=confirm-dialog]').exists()).toBe(false)
    w.unmount()
  })
  it('is keyboard accessible: focus starts on cancel for a destructive action, Tab stays inside, Escape cancels and the focus returns', async () => {
    const before = document.createElement('button')
    document.body.appendChild(before)
    before.focus()
    const w = open()
    const answer = askConfirm(request)
    await flushPromises()
    const cancel = w.find('[data-test=confirm-cancel]').element
    const ok = w.find('[data-test=confirm-ok]').element
    expect(document.activeElement).toBe(cancel)
    await w.find('[data-test=confirm-dialog]').trigger('keydown', { key: 'Tab' })
    expect(document.activeElement).toBe(ok)
    await w.find('[data-test=confirm-dialog]').trigger('keydown', { key: 'Tab' })
    expect(document.activeElement).toBe(cancel)
    await w.find('[data-test=confirm-dialog]').trigger('keydown', { key: 'Escape' })
    expect(await answer).toBe(false)
    await flushPromises()
    expect(confirmState.current).toBeNull()
    expect(document.activeElement).toBe(before)
    w.unmount()
    before.remove()
  })
  it('a non-destructive action starts on its own button', async () => {
    const w = open()
    askConfirm({ ...request, danger: false })
    await flushPromises()
    expect(document.activeElement).toBe(w.find('[data-test=confirm-ok]').element)
    expect(w.find('[data-test=confirm-ok]').classes()).toContain('btn-primary')
    w.unmount()
  })
})

describe('confirmation texts', () => {
  const t = (key: string, values: Record<string, unknown>, locale: 'ru' | 'en') => i18n.global.t(key, values, { locale })
  it('finishing a quiz says how many questions are answered', () => {
    expect(t('confirm.finish_quiz', { answered: 4, total: 4 }, 'ru')).toBe('Завершить тест? Отвечено 4 из 4.')
    expect(t('confirm.finish_quiz', { answered: 3, total: 4 }, 'en')).toBe('Finish the quiz? 3 of 4 answered.')
  })
  it('deleting a lesson names it and says it cannot be undone', () => {
    expect(`${t('confirm.delete_lesson', { title: 'Теорема Виета' }, 'ru')} ${t('confirm.cannot_undo', {}, 'ru')}`).toBe(
      'Удалить урок «Теорема Виета»? Это действие нельзя отменить.',
    )
  })
})

// No view may fall back to the browser's bare confirm() ("?", "4/4?").
describe('no window.confirm in the UI', () => {
  const files = (dir: string): string[] =>
    readdirSync(dir).flatMap((f) => {
      const p = path.join(dir, f)
      return statSync(p).isDirectory() ? files(p) : /\.(vue|ts)$/.test(f) ? [p] : []
    })
  it('every confirmation goes through ConfirmDialog', () => {
    const src = path.resolve(__dirname, '../src')
    const offenders = files(src).filter((f) => /(^|[^\w.])(window\.)?confirm\(/m.test(readFileSync(f, 'utf8')))
    expect(offenders).toEqual([])
  })
})
