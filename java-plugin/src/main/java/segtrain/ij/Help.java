package segtrain.ij;

/** A command's help page (the dialog's Help button), written from its schema. */
final class Help {
    private Help() {}

    static String html(Schema schema) {
        StringBuilder html = new StringBuilder("<html><h3>SegTrain: ").append(escape(schema.title)).append("</h3>");
        html.append("<p>").append(escape(schema.intro)).append("</p>");
        String group = null;
        for (Schema.Field f : schema.fields) {
            if (!f.dialog) continue;
            if (!f.group.equals(group)) {
                if (group != null) html.append("</ul>");
                group = f.group;
                String words = group.replace('_', ' ');
                html.append("<h4>").append(escape(words.isEmpty() ? words : Character.toUpperCase(words.charAt(0)) + words.substring(1))).append("</h4><ul>");
            }
            html.append("<li><b>").append(escape(f.key.replace('_', ' '))).append("</b>");
            if (!f.unit.isEmpty()) html.append(" (").append(escape(f.unit)).append(")");
            html.append(": ").append(escape(f.help)).append("</li>");
        }
        if (group != null) html.append("</ul>");
        if (!schema.footer.isEmpty()) html.append("<p>").append(escape(schema.footer)).append("</p>");
        return html.append("</html>").toString();
    }

    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("µ", "&micro;");
    }
}
