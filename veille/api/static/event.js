// bring the first highlighted sentence of each article into view
for (const pre of document.querySelectorAll(".article pre")) {
  const mark = pre.querySelector("mark");
  if (mark) { pre.scrollTop = Math.max(0, mark.offsetTop - pre.offsetTop - 40); }
}
