import { render } from "preact";
import { App } from "./app";
import { language, LANGUAGES } from "./i18n";
import "./style.css";

document.documentElement.lang = LANGUAGES[language.value].tag;
render(<App />, document.getElementById("app")!);
