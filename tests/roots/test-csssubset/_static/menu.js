// Adds a class the pages do not have until someone opens the menu.
document.addEventListener("click", () => document.body.classList.add("menu-open"));
