import { createApp } from 'vue'
import 'bootstrap/dist/css/bootstrap.min.css'
// The icon font only (its CSS and woff/woff2), not the per-icon SVG modules.
import 'bootstrap-icons/font/bootstrap-icons.min.css'
import './style.css'
import App from './App.vue'
import { router } from './router'
import { i18n } from './i18n'
import { setUnauthorizedHandler } from './api/http'
import { session } from './session'

setUnauthorizedHandler(() => {
  session.user = null
  // Public pages (an invitation or reset link) stay where they are.
  const here = router.currentRoute.value
  if (here.name !== 'login' && !here.meta.public) router.push({ name: 'login', query: { next: here.fullPath } })
})

createApp(App).use(i18n).use(router).mount('#app')
