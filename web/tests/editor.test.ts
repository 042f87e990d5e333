import { describe, it, expect, beforeEach } from 'vitest'
import { mount, flushPromises } from '@vue/test-utils'
import { i18n, setLocale } from '../src/i18n'
import { insertImage, altFromFileName, labelToolbar, tooltipVars, cssString, TOOLBAR_LABELS, type ImageTarget } from '../src/lib/editor'
import RichEditor from '../src/components/RichEditor.vue'
import RichView from '../src/components/RichView.vue'

const t = (k: string) => i18n.global.t(k)

beforeEach(() => setLocale('ru'))

describe('the editor puts the caret after an inserted image (#13)', () => {
  it('inserts the image at the caret and selects the position after it', () => {
    const calls: string[] = []
    const quill: ImageTarget = {
      insertEmbed: (index, type, value, source) => calls.push(`insert ${type} ${value} at ${index} by ${source}`),
      setSelection: (index, length, source) => calls.push(`caret ${index}+${length} by ${source}`),
    }
    insertImage(quill, 7, '/api/v1/files/f1')
    expect(calls).toEqual(['insert image /api/v1/files/f1 at 7 by user', 'caret 8+0 by user'])
  })
  it('gives the image a text alternative from its file name (#16)', () => {
    const calls: string[] = []
    const quill: ImageTarget = {
      insertEmbed: (index, type, value) => calls.push(`insert ${type} ${value} at ${index}`),
      formatText: (index, length, name, value) => calls.push(`${name}=${value} at ${index}+${length}`),
      setSelection: (index, length) => calls.push(`caret ${index}+${length}`),
    }
    insertImage(quill, 3, '/api/v1/files/f2', 'parabola_graph-2.png')
    expect(calls).toEqual(['insert image /api/v1/files/f2 at 3', 'alt=parabola graph 2 at 3+1', 'caret 4+0'])
    expect(altFromFileName('IMG.2024.jpeg')).toBe('IMG 2024')
    expect(altFromFileName('.png')).toBe('')
  })
})

describe('the editor speaks the UI language (#13)', () => {
  function toolbar(): HTMLElement {
    const el = document.createElement('div')
    el.innerHTML = `<span class="ql-picker ql-header"><span class="ql-picker-label"></span><span class="ql-picker-options">
      <span class="ql-picker-item" data-value="1"></span><span class="ql-picker-item" data-value="2"></span><span class="ql-picker-item" data-value="3"></span><span class="ql-picker-item ql-selected"></span></span></span>
      <button class="ql-bold"></button><button class="ql-list" value="ordered"></button><button class="ql-list" value="bullet"></button><button class="ql-link"></button><button class="ql-image"></button>`
    return el
  }
  it('gives the toolbar Russian titles and aria-labels, and the heading picker Russian names', () => {
    const el = toolbar()
    labelToolbar(el, t)
    expect(el.querySelector('.ql-bold')!.getAttribute('title')).toBe('Полужирный')
    expect(el.querySelector('.ql-bold')!.getAttribute('aria-label')).toBe('Полужирный')
    expect(el.querySelector('[value=ordered]')!.getAttribute('title')).toBe('Нумерованный список')
    expect(el.querySelector('[value=bullet]')!.getAttribute('title')).toBe('Маркированный список')
    expect(el.querySelector('.ql-link')!.getAttribute('title')).toBe('Ссылка')
    expect(el.querySelector('.ql-image')!.getAttribute('aria-label')).toBe('Изображение')
    expect(el.querySelector('[data-value="2"]')!.getAttribute('data-label')).toBe('Заголовок 2')
    // The label shows the selected item (plain text here), not "Normal".
    expect(el.querySelector('.ql-picker-label')!.getAttribute('data-label')).toBe('Обычный текст')
    expect(el.querySelector('.ql-picker-label')!.getAttribute('aria-label')).toBe('Стиль текста')
  })
  it('and English ones when the UI is English', () => {
    setLocale('en')
    const el = toolbar()
    labelToolbar(el, t)
    expect(el.querySelector('.ql-bold')!.getAttribute('title')).toBe('Bold')
    expect(el.querySelector('[data-value="1"]')!.getAttribute('data-label')).toBe('Heading 1')
  })
  it('every toolbar label has a Russian and an English text', () => {
    // A missing key comes back as itself; a missing English one as the Russian.
    const ru = TOOLBAR_LABELS.map(([, key]) => t(key))
    setLocale('en')
    const en = TOOLBAR_LABELS.map(([, key]) => t(key))
    TOOLBAR_LABELS.forEach(([, key], i) => {
      expect(ru[i], key).not.toBe(key)
      expect(en[i], key).not.toBe(ru[i])
    })
  })
  it('the link box texts are CSS strings in the UI language', () => {
    expect(tooltipVars(t)).toMatchObject({
      '--lms-ql-enter-link': '"Введите ссылку:"',
      '--lms-ql-save': '"Сохранить"',
      '--lms-ql-edit': '"Изменить"',
      '--lms-ql-remove': '"Удалить"',
    })
    expect(cssString('a "b" \\ c')).toBe('"a \\"b\\" \\\\ c"')
  })
})

describe('RichEditor and RichView share one typography (#13)', () => {
  it('the mounted editor has Russian titles, the link box texts and the shared text class; English after a switch', async () => {
    const w = mount(RichEditor, { props: { modelValue: '<p>Текст</p>' }, global: { plugins: [i18n] }, attachTo: document.body })
    await flushPromises()
    expect(w.find('.ql-toolbar button.ql-bold').attributes('title')).toBe('Полужирный')
    expect(w.find('.ql-toolbar button.ql-image').attributes('aria-label')).toBe('Изображение')
    expect(w.find('.ql-editor').classes()).toContain('rich-content')
    const style = (w.element as HTMLElement).style
    expect(style.getPropertyValue('--lms-ql-enter-link')).toBe('"Введите ссылку:"')
    setLocale('en')
    await flushPromises()
    expect(w.find('.ql-toolbar button.ql-bold').attributes('title')).toBe('Bold')
    expect((w.element as HTMLElement).style.getPropertyValue('--lms-ql-enter-link')).toBe('"Enter link:"')
    w.unmount()
  })
  it('the published text uses the same class', () => {
    const w = mount(RichView, { props: { html: '<h2>Заголовок</h2>' }, global: { plugins: [i18n] } })
    expect(w.classes()).toContain('rich-content')
  })
})
