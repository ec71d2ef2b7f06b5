// A few helpers for building the views without a framework.

type Attributes = Record<string, string | number | boolean | undefined>;

/** An element with attributes (`on…` functions become listeners) and children. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes & Record<string, unknown> = {},
  ...children: (Node | string | undefined)[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value as EventListener);
    } else if (name === "value" && "value" in element) {
      (element as HTMLInputElement).value = String(value);
    } else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children) if (child !== undefined) element.append(child);
  return element;
}

/** A labelled number input. */
export function numberField(
  label: string,
  value: number,
  options: Attributes = {},
): [HTMLLabelElement, () => number] {
  const input = h("input", { type: "number", value, ...options });
  return [h("label", {}, label, input), () => Number(input.value)];
}

/** A labelled select. */
export function selectField(
  label: string,
  choices: readonly [string, string][],
  testId?: string,
): [HTMLLabelElement, HTMLSelectElement] {
  const select = h(
    "select",
    { "data-testid": testId },
    ...choices.map(([value, text]) => h("option", { value }, text)),
  );
  return [h("label", {}, label, select), select];
}

export function showError(target: HTMLElement, error: unknown): void {
  target.textContent = error instanceof Error ? error.message : String(error);
  target.classList.add("error");
}

export function clearError(target: HTMLElement): void {
  target.textContent = "";
  target.classList.remove("error");
}

/** Offers bytes as a file download. */
export function download(bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as BlobPart]));
  const link = h("a", { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** A probability as a background colour: red (improbable) to green (probable). */
export function probabilityColour(p: number): string {
  const hue = Math.round(120 * Math.min(1, Math.max(0, p)));
  return `hsl(${hue} 70% 82%)`;
}
