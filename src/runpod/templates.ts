// Runpod templates kept in step with the image (`template-id`). A template is a snapshot Runpod applies when a
// pod or endpoint is created from it: updating it changes no running pod, but the next pod or worker created
// from it runs the new image. Only templates the key owns can be updated; public catalog templates are readable
// by anyone and answer 404 to a PATCH, so one named here is a bad input found before any write.
import { ActionError } from '../errors.js'
import type { RequestBudget } from './http.js'
import type { RunpodClient, TemplatePatch } from './client.js'
import type { Template } from './wire.js'

/** A template the key owns, as the deploy plans and restores it: whether it is public no longer matters. */
export type TemplateState = Omit<Template, 'isPublic'>

/**
 * Every template, one promise each, in the order given: the owned ones from one paged list; an id missing from
 * it is read on its own, to tell a public template (not the key's to change) from one that does not exist.
 */
export function readTemplates(client: RunpodClient, ids: readonly string[]): Promise<TemplateState>[] {
  if (ids.length === 0) return []
  const owned = client.listTemplates()
  return ids.map(async (id) => {
    // Without the list, ownership cannot be told: its failure is every template's (and is reported once).
    const list: Template[] = await owned
    const found = list.find((template) => template.id === id)
    if (found) return stateOf(found)
    const other = await client.getTemplate(id)
    throw new ActionError(
      `Template ${id} (input 'template-id') is ${other.isPublic ? "a public template of Runpod's catalog" : 'a template'} the API key does not own ('${other.name}'), and only its owner can update it. Nothing was changed. Copy it to a template of your own in the Runpod console and use that id, or remove it from 'template-id'.`
    )
  })
}

export async function patchTemplate(
  client: RunpodClient,
  id: string,
  body: TemplatePatch,
  budget?: RequestBudget
): Promise<TemplateState> {
  return stateOf(await client.patchTemplate(id, body, budget))
}

function stateOf(template: Template): TemplateState {
  const { id, name, image, registry, env, allowedCudaVersions } = template
  return { id, name, image, registry, env, allowedCudaVersions }
}
