package main

import "net/http"

// chatPage is a tiny browser client for the chat room: open it in two tabs.
const chatPage = `<!doctype html>
<meta charset="utf-8">
<title>lab 04 chat</title>
<style>body{font:16px system-ui;max-width:40em;margin:2em auto} #log{border:1px solid #ccc;height:20em;overflow:auto;padding:.5em}</style>
<h1>Chat</h1>
<div id="log"></div>
<form id="f"><input id="user" placeholder="name" size="8"> <input id="text" placeholder="say something" size="40"> <button>Send</button></form>
<script>
const log = document.getElementById("log");
const es = new EventSource("/api/chat/stream");
es.onopen = () => log.insertAdjacentText("beforeend", "(connected)\n");
es.onerror = () => log.insertAdjacentText("beforeend", "(disconnected, retrying)\n");
es.onmessage = (e) => {
  const m = JSON.parse(e.data);
  const p = document.createElement("div");
  p.textContent = m.user + ": " + m.text;
  log.append(p);
  log.scrollTop = log.scrollHeight;
};
document.getElementById("f").onsubmit = async (e) => {
  e.preventDefault();
  const text = document.getElementById("text");
  await fetch("/api/chat/messages", {method: "POST", headers: {"Content-Type": "application/json"},
    body: JSON.stringify({user: document.getElementById("user").value, text: text.value})});
  text.value = "";
};
</script>
`

func serveChatPage(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(chatPage))
}
