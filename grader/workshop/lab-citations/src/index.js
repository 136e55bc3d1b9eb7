/*
 * Citations in JupyterLab as the book shows them: "[United Nations Statistics Division, 1998]".
 *
 * jupyterlab-myst has no bibliography: it shows each {cite:p} or {cite:t} key with a warning
 * sign and the title "Citation Not Found" (its issue #127), and offers no hook to give it one.
 * So this plugin watches the rendered Markdown and gives each such citation group one more
 * child, the book's text; style/index.css hides jupyterlab-myst's own children of that group.
 * It never changes or removes a node that jupyterlab-myst (React) made, so React can still
 * update the cell. The words come from citations.json beside the built extension, which
 * lab_citations.py makes from book/references.bib. A key that is not there stays visible.
 */
import { PageConfig, URLExt } from '@jupyterlab/coreutils';

const NAME = 'migstats-lab-citations';
const NOT_FOUND = 'Citation Not Found'; // jupyterlab-myst's title on a key it cannot resolve
const OURS = 'migstats-citation';

/** The entry of a key; a key with a page's prefix (`dc-kish1965survey`) is the key itself. */
function lookup(entries, key) {
  return entries[key] || entries[key.replace(/^[a-z]+-/, '')];
}

/** The book's words for these keys: brackets, text, unknown keys, and the full references. */
function bookText(data, keys, parenthetical) {
  const group = parenthetical ? data.parenthetical : data.textual;
  const found = keys.map(key => lookup(data.entries, key)).filter(Boolean);
  // The book lists a group's references in the order of its bibliography.
  found.sort((a, b) => a.order - b.order);
  return {
    ...group,
    text: found.map(entry => (parenthetical ? entry.p : entry.t)).join(group.sep),
    missing: keys.filter(key => !lookup(data.entries, key)),
    title: found.map(entry => entry.title).join('\n')
  };
}

/** Give one citation group (a `span.cite-group`) the book's text, once. */
function showGroup(data, group) {
  const theirs = [...group.children].filter(child => !child.classList.contains(OURS));
  if (!theirs.length || theirs.some(child => child.title !== NOT_FOUND)) {
    return; // jupyterlab-myst found these itself (a DOI), or this is not a citation
  }
  const keys = theirs.map(child => child.textContent.trim());
  const parenthetical = group.classList.contains('parenthetical');
  const signature = `${parenthetical ? 'p' : 't'}:${keys.join(',')}`;
  let ours = group.querySelector(`:scope > .${OURS}`);
  if (ours && ours.dataset.keys === signature) {
    return;
  }
  const words = bookText(data, keys, parenthetical);
  if (!words.text) {
    ours?.remove();
    return; // only unknown keys: jupyterlab-myst's warning shows them
  }
  if (!ours) {
    ours = document.createElement('span');
    ours.className = OURS;
    group.appendChild(ours);
  }
  ours.dataset.keys = signature;
  ours.title = words.title;
  ours.replaceChildren(words.left + words.text);
  for (const key of words.missing) {
    const mark = document.createElement('span');
    mark.className = `${OURS}-missing`;
    mark.title = `${key} is not in book/references.bib`;
    mark.textContent = key;
    ours.append(words.sep, mark);
  }
  ours.append(words.right);
}

function showAll(data, root) {
  root.querySelectorAll('.cite-group').forEach(group => showGroup(data, group));
}

async function loadCitations() {
  const url = URLExt.join(PageConfig.getOption('fullLabextensionsUrl'), NAME, 'citations.json');
  const response = await fetch(url);
  if (!response.ok) {
    throw new Error(`${url}: ${response.status}`);
  }
  return response.json();
}

const plugin = {
  id: `${NAME}:plugin`,
  description: 'Shows citations as the book does (author and year)',
  autoStart: true,
  activate: app => {
    loadCitations()
      .then(data => {
        const root = app.shell.node;
        let queued = false;
        const update = () => {
          queued = false;
          showAll(data, root);
        };
        new MutationObserver(() => {
          if (!queued) {
            queued = true;
            requestAnimationFrame(update);
          }
        }).observe(root, {
          subtree: true,
          childList: true,
          characterData: true,
          attributeFilter: ['class'] // {cite:p} edited into {cite:t}
        });
        update();
      })
      .catch(error => console.warn(`${NAME}: no citations, keys stay as they are:`, error));
  }
};

export default plugin;
