// Optional enhancements; every page works without this script.
// 1. The quote calculator asks the quote API (POST /api/v1/models/{id}/quote) and shows the
//    line items in place instead of reloading the page.
// 2. Filters of the catalog apply as soon as a checkbox or a choice changes.
"use strict";

function cell(row, tag, text) {
  const element = document.createElement(tag);
  element.textContent = text;
  if (tag === "th") element.scope = "row";
  row.appendChild(element);
  return element;
}

function showQuote(target, body) {
  target.replaceChildren();
  const table = document.createElement("table");
  table.className = "quote-items";
  table.createCaption().textContent = "Quote";
  const head = table.createTHead().insertRow();
  for (const title of ["Item", "Quantity", "USD", "DIEM"]) {
    const th = document.createElement("th");
    th.scope = "col";
    th.textContent = title;
    head.appendChild(th);
  }
  const rows = table.createTBody();
  for (const item of body.items) {
    const row = rows.insertRow();
    cell(row, "th", item.name);
    cell(row, "td", item.quantity + " " + item.unit);
    cell(row, "td", "$" + item.usd);
    cell(row, "td", item.diem);
  }
  const total = table.createTFoot().insertRow();
  cell(total, "th", "Total");
  cell(total, "td", "");
  cell(total, "td", "$" + body.usd);
  cell(total, "td", body.diem);
  target.appendChild(table);
}

function showError(target, message) {
  target.replaceChildren();
  const p = document.createElement("p");
  p.className = "error";
  p.setAttribute("role", "alert");
  p.textContent = message;
  target.appendChild(p);
}

function usageOf(form) {
  const usage = {};
  for (const [name, value] of new FormData(form)) {
    if (value === "") continue;
    const input = form.elements.namedItem(name);
    // Quantities go as JSON numbers: the API reads them as exact decimals.
    usage[name] = input && input.type === "number" ? Number(value) : value;
  }
  return usage;
}

function enhanceQuote(form) {
  const target = document.getElementById("quote-result");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const url = new URL(form.action);
    url.search = new URLSearchParams(new FormData(form)).toString();
    history.replaceState(null, "", url);
    try {
      const response = await fetch(form.dataset.quoteUrl, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(usageOf(form)),
      });
      const body = await response.json();
      if (response.ok) showQuote(target, body);
      else showError(target, body.error || "The quote failed (" + response.status + ")");
    } catch (error) {
      showError(target, "The quote could not be fetched: " + error);
    }
  });
}

function enhanceFilters(form) {
  form.addEventListener("change", (event) => {
    if (event.target.id !== "q") form.requestSubmit();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  for (const form of document.querySelectorAll("form.quote[data-quote-url]")) enhanceQuote(form);
  for (const form of document.querySelectorAll("form.filters")) enhanceFilters(form);
});
