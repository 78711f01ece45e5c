import { NotFoundState } from "@/components/ui/states";

export default function NotFound() {
  return <NotFoundState what="Cost model view" back={{ href: "/cost-model", label: "Cost model" }} />;
}
